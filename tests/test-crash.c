/* test-crash.c — suite crash: nothing acknowledged is lost, whatever happens to the machine.
 *
 *  - a full disk (a small tmpfs in a private mount namespace) while saving and importing: a
 *    clear SI_STORE_ERROR_FULL, an intact database, every acknowledged save there and every
 *    failed one absent, and saving works again once there is room;
 *  - saveidea-cli sync killed with SIGKILL at random moments (fixed seed) while hundreds of
 *    changes wait, then synced to the end: every local change is on the server exactly once;
 *  - the same with the server killed at random moments during pushes and pulls, and restarted;
 *  - a process saving ideas back to back (the checkpoint thread copying the log meanwhile, and
 *    the log at its cap) killed with SIGKILL: every save that returned is there and found.
 *
 * Bounded for CI; `--long` (or SAVEIDEA_CRASH_LONG=1) runs ten times as many trials.
 * SAVEIDEA_CRASH_SEED changes the seed.
 */
#define G_LOG_DOMAIN "saveidea-test"
#define _GNU_SOURCE 1  /* unshare() */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "si-account.h"
#include "si-import.h"
#include "si-store.h"
#include "si-test-server.h"
#include "si-wire.h"

static gboolean long_mode;
static char *test_program;
static gboolean can_mount;
static char *cannot_mount_reason;
static guint32 seed = 20260301;
/* The system's data dirs (GSettings schemas of GIO's proxy resolver), before the test isolates them. */
static char *system_data_dirs;

/* ---------------------------------------------------------------------------------------- */
/* helpers */

/* A private mount namespace, so that the test can mount a tmpfs: as root directly, else in a
 * user namespace of its own (if the kernel allows them). Must run before any thread exists. */
static void
enter_mount_namespace (void)
{
  uid_t uid = geteuid ();
  gid_t gid = getegid ();

  if (uid != 0)
    {
      g_autofree char *uid_map = g_strdup_printf ("0 %u 1", (guint) uid);
      g_autofree char *gid_map = g_strdup_printf ("0 %u 1", (guint) gid);

      if (unshare (CLONE_NEWUSER | CLONE_NEWNS) != 0)
        {
          cannot_mount_reason = g_strdup_printf ("no user namespace (unshare: %s); run as root or allow "
                                                 "unprivileged user namespaces", g_strerror (errno));
          return;
        }
      if (!g_file_set_contents ("/proc/self/setgroups", "deny", -1, NULL) ||
          !g_file_set_contents ("/proc/self/uid_map", uid_map, -1, NULL) ||
          !g_file_set_contents ("/proc/self/gid_map", gid_map, -1, NULL))
        {
          cannot_mount_reason = g_strdup ("could not map the user in a user namespace");
          return;
        }
    }
  else if (unshare (CLONE_NEWNS) != 0)
    {
      cannot_mount_reason = g_strdup_printf ("unshare(CLONE_NEWNS): %s", g_strerror (errno));
      return;
    }
  if (mount ("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    {
      cannot_mount_reason = g_strdup_printf ("making / private: %s", g_strerror (errno));
      return;
    }
  can_mount = TRUE;
}

static char *
mount_tmpfs (const char *size)
{
  g_autofree char *dir = g_dir_make_tmp ("saveidea-crash-XXXXXX", NULL);
  g_autofree char *options = g_strdup_printf ("size=%s,mode=0700", size);

  g_assert_nonnull (dir);
  if (mount ("tmpfs", dir, "tmpfs", 0, options) != 0)
    g_error ("mount tmpfs on %s: %s", dir, g_strerror (errno));
  return g_steal_pointer (&dir);
}

static void
unmount_tmpfs (const char *dir)
{
  g_assert_cmpint (umount2 (dir, MNT_DETACH), ==, 0);
  g_rmdir (dir);
}

/* Writes to @path until the disk is full; returns how many bytes it took. */
static gsize
fill_disk (const char *path)
{
  static char block[16384];
  gsize total = 0;
  int fd = open (path, O_WRONLY | O_CREAT | O_APPEND, 0600);

  g_assert_cmpint (fd, >=, 0);
  memset (block, 'x', sizeof block);
  for (gsize size = sizeof block; size > 0; size /= 2)
    for (;;)
      {
        ssize_t n = write (fd, block, size);
        if (n <= 0)
          {
            g_assert_cmpint (errno, ==, ENOSPC);
            break;
          }
        total += (gsize) n;
      }
  close (fd);
  return total;
}

static void
assert_integrity (const char *db_path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  /* A store still open in this process may be merging its search index in the background
   * (si-store-checkpoint.c): wait for its turn like any other writer, as the store does. */
  sqlite3_busy_timeout (db, 30000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  /* The full-text index matches its table (only in a notebook; the server has none). The
   * query ends before the check begins: a read transaction still open would make the check
   * upgrade it to a write, which fails at once (no busy wait) when the store's thread of this
   * process committed meanwhile. */
  if (sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_master WHERE name = 'ideas_fts'", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    {
      char *message = NULL;
      int rc;

      sqlite3_finalize (stmt);
      stmt = NULL;
      rc = sqlite3_exec (db, "INSERT INTO ideas_fts(ideas_fts) VALUES('integrity-check')", NULL, NULL, &message);
      if (rc != SQLITE_OK)
        g_error ("the search index of %s is damaged: %s", db_path, message);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static char *
random_text (GRand *rand,
             guint  length)
{
  static const char letters[] = "abcdefghijklmnopqrstuvwxyz     \n";
  GString *text = g_string_sized_new (length);

  for (guint i = 0; i < length; i++)
    g_string_append_c (text, letters[g_rand_int_range (rand, 0, sizeof letters - 1)]);
  return g_string_free (text, FALSE);
}

static SiIdea *
make_idea (GRand *rand,
           guint  n,
           guint  body_length)
{
  g_autofree char *title = g_strdup_printf ("idea %u", n);
  g_autofree char *body = random_text (rand, body_length);
  return si_idea_new (title, body);
}

/* ---------------------------------------------------------------------------------------- */
/* a full disk */

static void
test_full_disk_save (void)
{
  g_autofree char *mnt = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *filler = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = NULL;
  g_autoptr(GPtrArray) acked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(SiIdea) after = NULL;
  SiIdeaFilter all = { 0 };
  guint failures_in_a_row = 0;

  if (!can_mount)
    {
      g_test_skip (cannot_mount_reason);
      return;
    }
  mnt = mount_tmpfs ("4m");
  db_path = g_build_filename (mnt, "notebook.db", NULL);
  filler = g_build_filename (mnt, "filler", NULL);
  store = si_store_new (db_path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(SiIdea) idea = make_idea (rand, i, 2000);
      g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
      g_ptr_array_add (acked, g_strdup (si_idea_get_uid (idea)));
    }

  fill_disk (filler);
  /* Saves keep going into pages SQLite already has, then fail: each one either fully or not
   * at all. */
  for (guint i = 20; i < 5000 && failures_in_a_row < 5; i++)
    {
      g_autoptr(SiIdea) idea = make_idea (rand, i, 3000);
      g_autoptr(GError) save_error = NULL;

      if (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &save_error))
        {
          g_ptr_array_add (acked, g_strdup (si_idea_get_uid (idea)));
          failures_in_a_row = 0;
        }
      else
        {
          g_assert_error (save_error, SI_STORE_ERROR, SI_STORE_ERROR_FULL);
          g_assert_nonnull (strstr (save_error->message, "full"));
          g_ptr_array_add (failed, g_strdup (si_idea_get_title (idea)));
          failures_in_a_row++;
        }
    }
  g_assert_cmpuint (failed->len, >, 0);
  g_test_message ("%u saves acknowledged, %u refused for a full disk", acked->len, failed->len);

  /* An edit of an existing idea fails the same way, and the old text stays. */
  {
    g_autoptr(SiIdea) idea = si_store_get_idea_by_uid (store, g_ptr_array_index (acked, 0), &error);
    g_autofree char *old_body = NULL;
    g_autofree char *big = random_text (rand, 200000);
    g_autoptr(GError) save_error = NULL;
    g_autoptr(SiIdea) again = NULL;

    g_assert_no_error (error);
    old_body = g_strdup (si_idea_get_body (idea));
    si_idea_set_body (idea, big);
    g_assert_false (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &save_error));
    g_assert_error (save_error, SI_STORE_ERROR, SI_STORE_ERROR_FULL);
    again = si_store_get_idea_by_uid (store, g_ptr_array_index (acked, 0), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (si_idea_get_body (again), ==, old_body);
  }

  for (guint i = 0; i < acked->len; i++)
    {
      g_autoptr(SiIdea) idea = si_store_get_idea_by_uid (store, g_ptr_array_index (acked, i), &error);
      g_assert_no_error (error);
      g_assert_nonnull (idea);
    }
  /* The refused ones are not there: the count is exactly the acknowledged ones. */
  g_assert_cmpuint (si_store_count_ideas (store, &all, &error), ==, acked->len);
  assert_integrity (db_path);

  /* Room again: the same store saves again, without being reopened. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  after = make_idea (rand, 99999, 3000);
  g_assert_true (si_store_save_idea (store, after, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  g_clear_object (&store);
  assert_integrity (db_path);
  store = si_store_new (db_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (si_store_count_ideas (store, &all, &error), ==, acked->len + 1);
  g_clear_object (&store);
  unmount_tmpfs (mnt);
}

/* An export of @n ideas with big bodies, written outside the small disk. */
static GFile *
write_export (const char *dir,
              GRand      *rand,
              guint       n)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = g_build_filename (dir, "export.json", NULL);
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, "saveidea");
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "tags");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "ideas");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *uid = g_uuid_string_random ();
      g_autofree char *title = g_strdup_printf ("imported %u", i);
      g_autofree char *body = random_text (rand, 8000);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "uid");
      json_builder_add_string_value (builder, uid);
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, title);
      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, body);
      json_builder_set_member_name (builder, "tags");
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, i % 2 ? "odd" : "even");
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "pinned");
      json_builder_add_boolean_value (builder, FALSE);
      json_builder_set_member_name (builder, "created");
      json_builder_add_string_value (builder, "2024-01-02T03:04:05.000Z");
      json_builder_set_member_name (builder, "updated");
      json_builder_add_string_value (builder, "2024-01-02T03:04:05.000Z");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  g_assert_true (json_generator_to_file (generator, path, &error));
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
test_full_disk_import (void)
{
  g_autofree char *mnt = NULL;
  g_autofree char *outside = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *filler = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed + 1);
  g_autoptr(GFile) export = NULL;
  g_autoptr(GPtrArray) tags = NULL;
  SiImportStats stats = { 0 };
  SiIdeaFilter all = { 0 };
  gsize room;

  if (!can_mount)
    {
      g_test_skip (cannot_mount_reason);
      return;
    }
  /* The WAL holds the whole import before a checkpoint copies it: twice its size. */
  mnt = mount_tmpfs ("16m");
  outside = g_dir_make_tmp ("saveidea-crash-export-XXXXXX", NULL);
  db_path = g_build_filename (mnt, "notebook.db", NULL);
  filler = g_build_filename (mnt, "filler", NULL);
  store = si_store_new (db_path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(SiIdea) idea = make_idea (rand, i, 500);
      g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
    }

  /* Leave about 1 MB: a 2.4 MB import cannot fit, a 40 kB one can. */
  room = fill_disk (filler);
  g_assert_cmpint (truncate (filler, (off_t) (room > 1024 * 1024 ? room - 1024 * 1024 : 0)), ==, 0);

  export = write_export (outside, rand, 300);
  g_assert_false (si_import (store, export, &stats, NULL, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_FULL);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "full"));
  g_clear_error (&error);
  /* All or nothing: not one idea nor tag of the file. */
  g_assert_cmpuint (si_store_count_ideas (store, &all, &error), ==, 10);
  tags = si_store_list_tags (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tags->len, ==, 0);
  assert_integrity (db_path);

  g_assert_cmpint (g_unlink (filler), ==, 0);
  memset (&stats, 0, sizeof stats);
  if (!si_import (store, export, &stats, NULL, &error))
    g_error ("the import fails with room on the disk: %s", error->message);
  g_assert_cmpuint (stats.n_created, ==, 300);
  g_assert_cmpuint (si_store_count_ideas (store, &all, &error), ==, 310);
  g_clear_object (&store);
  assert_integrity (db_path);

  {
    g_autofree char *path = g_file_get_path (export);
    g_unlink (path);
    g_rmdir (outside);
  }
  unmount_tmpfs (mnt);
}

/* ---------------------------------------------------------------------------------------- */
/* killed syncs */

typedef struct {
  SiTestServer *server;
  char         *token;
  char         *dir;
  char         *db_path;
  SiStore      *store;
  GRand        *rand;
  guint         next_title;
  GHashTable   *deleted;     /* uids deleted locally */
} Fixture;

static void
fixture_set_account (Fixture *f)
{
  g_autoptr(SiAccount) account = si_account_new (f->store);
  g_autoptr(GError) error = NULL;

  g_assert_true (si_account_set_for_testing (account, si_test_server_get_url (f->server), "alice",
                                             f->token, &error));
  g_assert_no_error (error);
}

static void
fixture_init (Fixture *f,
              guint    n_ideas)
{
  g_autoptr(GError) error = NULL;

  f->server = si_test_server_new (NULL);
  si_test_server_add_user (f->server, "alice", "correct horse battery");
  si_test_server_start (f->server);
  f->token = si_test_server_login (f->server, "alice", "correct horse battery");
  f->dir = g_dir_make_tmp ("saveidea-crash-client-XXXXXX", NULL);
  f->db_path = g_build_filename (f->dir, "notebook.db", NULL);
  f->store = si_store_new (f->db_path, &error);
  g_assert_no_error (error);
  f->rand = g_rand_new_with_seed (seed);
  f->deleted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fixture_set_account (f);

  for (guint i = 0; i < n_ideas; i++)
    {
      g_autoptr(SiIdea) idea = make_idea (f->rand, f->next_title++, g_rand_int_range (f->rand, 50, 2000));
      if (i % 7 == 0)
        {
          g_autoptr(SiTag) tag = NULL;
          g_autofree char *name = g_strdup_printf ("tag %u", i % 5);
          tag = si_store_ensure_tag (f->store, name, &error);
          g_assert_no_error (error);
          si_idea_add_tag (idea, si_tag_get_id (tag));
        }
      g_assert_true (si_store_save_idea (f->store, idea, SI_SAVE_LOCAL, &error));
    }
}

static void
fixture_clear (Fixture *f)
{
  g_autofree char *wal = g_strconcat (f->db_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->db_path, "-shm", NULL);

  g_clear_object (&f->store);
  g_unlink (f->db_path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->db_path);
  g_free (f->token);
  g_rand_free (f->rand);
  g_hash_table_unref (f->deleted);
  si_test_server_free (f->server);
}

/* Some local work between syncs: new ideas, edits, a deletion. */
static void
local_changes (Fixture *f,
               guint    n)
{
  g_autoptr(GError) error = NULL;
  SiIdeaFilter all = { 0 };
  g_autoptr(GArray) keys = NULL;

  si_store_check_changes (f->store);
  keys = si_store_query_ideas (f->store, &all, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      guint what = g_rand_int_range (f->rand, 0, 10);

      if (what < 6 || keys->len < 10)
        {
          g_autoptr(SiIdea) idea = make_idea (f->rand, f->next_title++, g_rand_int_range (f->rand, 50, 1000));
          g_assert_true (si_store_save_idea (f->store, idea, SI_SAVE_LOCAL, &error));
        }
      else
        {
          SiIdeaKey *key = &g_array_index (keys, SiIdeaKey, g_rand_int_range (f->rand, 0, keys->len));
          g_autoptr(SiIdea) idea = si_store_get_idea (f->store, key->id, NULL);

          if (idea == NULL)
            continue;
          if (what < 9)
            {
              g_autofree char *body = g_strdup_printf ("%s\nedited %u", si_idea_get_body (idea), i);
              si_idea_set_body (idea, body);
              g_assert_true (si_store_save_idea (f->store, idea, SI_SAVE_LOCAL, &error));
            }
          else
            {
              g_hash_table_add (f->deleted, g_strdup (si_idea_get_uid (idea)));
              g_assert_true (si_store_delete_idea (f->store, key->id, SI_SAVE_LOCAL, &error));
            }
          g_assert_no_error (error);
        }
    }
}

static GSubprocess *
spawn_cli_sync (Fixture *f)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, "SAVEIDEA_TOKEN", f->token, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_DIRS", system_data_dirs, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SAVEIDEA_CLI"), "--db", f->db_path,
                                         "sync", NULL);
  g_assert_no_error (error);
  return process;
}

static int
run_cli_sync (Fixture *f)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  int status;

  g_subprocess_launcher_setenv (launcher, "SAVEIDEA_TOKEN", f->token, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_DIRS", system_data_dirs, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SAVEIDEA_CLI"), "--db", f->db_path,
                                         "sync", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error));
  g_assert_no_error (error);
  status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                : 128 + g_subprocess_get_term_sig (process);
  g_test_message ("saveidea-cli sync: %d: %s", status, output);
  return status;
}

/* Sleeps @ms while the main context runs (the test server's helpers use it). */
static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
}

static void
kill_and_wait (GSubprocess *process)
{
  g_subprocess_send_signal (process, SIGKILL);
  g_assert_true (g_subprocess_wait (process, NULL, NULL));
}

/* A sync to the end, then: nothing waits, both databases are intact, and the server has every
 * live local idea exactly once with the same content, and nothing else. */
static void
sync_to_the_end_and_compare (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) server_ideas = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                              (GDestroyNotify) si_wire_record_free);
  g_autoptr(GHashTable) titles = g_hash_table_new (g_str_hash, g_str_equal);  /* title -> uid */
  g_autoptr(GArray) keys = NULL;
  SiIdeaFilter all = { 0 };
  gint64 since = 0;
  gboolean more = TRUE;
  int status = -1;
  g_autofree char *server_db = NULL;

  for (guint i = 0; i < 5 && status != 0; i++)
    status = run_cli_sync (f);
  g_assert_cmpint (status, ==, 0);
  si_store_check_changes (f->store);
  g_assert_cmpuint (si_store_count_pending (f->store, &error), ==, 0);
  g_assert_no_error (error);
  assert_integrity (f->db_path);

  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/ideas?since=%" G_GINT64_FORMAT "&limit=1000", since);
      g_autoptr(SiTestResponse) r = si_test_server_request (f->server, "GET", path, f->token, NULL, NULL);
      g_autoptr(SiWirePage) page = NULL;

      g_assert_cmpuint (r->status, ==, 200);
      page = si_wire_page_from_json (r->json, SI_WIRE_COLLECTION_IDEAS, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < page->records->len; i++)
        {
          SiWireRecord *record = si_wire_record_copy (g_ptr_array_index (page->records, i));

          /* A feed lists a record once, at its last version. */
          g_assert_false (g_hash_table_contains (server_ideas, record->uid));
          g_hash_table_insert (server_ideas, g_strdup (record->uid), record);
          if (record->deleted)
            continue;
          /* Exactly once: no two live records of one local idea (a push whose answer was lost
           * must not come back as another device's edit and leave a conflicted copy). */
          if (g_hash_table_contains (titles, record->title))
            g_error ("“%s” is on the server twice (id %" G_GINT64_FORMAT ", uid %s)",
                     record->title, record->id, record->uid);
          g_hash_table_insert (titles, record->title, record->uid);
        }
      since = page->cursor;
      more = page->more;
    }

  keys = si_store_query_ideas (f->store, &all, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < keys->len; i++)
    {
      g_autoptr(SiIdea) idea = si_store_get_idea (f->store, g_array_index (keys, SiIdeaKey, i).id, &error);
      SiWireRecord *remote;

      g_assert_no_error (error);
      remote = g_hash_table_lookup (server_ideas, si_idea_get_uid (idea));
      if (remote == NULL)
        g_error ("%s (%s) is not on the server", si_idea_get_title (idea), si_idea_get_uid (idea));
      g_assert_false (remote->deleted);
      g_assert_cmpstr (remote->title, ==, si_idea_get_title (idea));
      g_assert_cmpstr (remote->body, ==, si_idea_get_body (idea));
      g_assert_cmpint (remote->version, ==, si_idea_get_version (idea));
    }
  /* Nothing more alive there than here; what was deleted here is a tombstone there. */
  g_assert_cmpuint (g_hash_table_size (titles), ==, keys->len);
  {
    GHashTableIter iter;
    const char *uid;

    g_hash_table_iter_init (&iter, f->deleted);
    while (g_hash_table_iter_next (&iter, (gpointer *) &uid, NULL))
      {
        SiWireRecord *remote = g_hash_table_lookup (server_ideas, uid);

        /* Alive on the server: deleted here, it came back (a deletion pushed, its answer
         * lost, and the client's own earlier edit taken for another device's). */
        if (remote != NULL && !remote->deleted)
          g_error ("%s was deleted here but is alive on the server", uid);
      }
  }
  g_test_message ("%u ideas on both sides, %u deleted", keys->len, g_hash_table_size (f->deleted));

  server_db = g_build_filename (si_test_server_get_data_dir (f->server), "server.db", NULL);
  assert_integrity (server_db);
}

static guint
n_trials (void)
{
  return long_mode ? 500 : 50;
}

static void
test_kill_client (void)
{
  Fixture f = { 0 };
  guint finished = 0;

  fixture_init (&f, 400);
  for (guint trial = 0; trial < n_trials (); trial++)
    {
      g_autoptr(GSubprocess) process = spawn_cli_sync (&f);
      guint delay = (guint) g_rand_int_range (f.rand, 0, 100);

      run_for (delay);
      kill_and_wait (process);
      if (g_subprocess_get_if_exited (process))
        finished++;
      /* Work goes on between the crashes. */
      local_changes (&f, 20);
    }
  g_test_message ("%u of %u syncs finished before the kill", finished, n_trials ());
  sync_to_the_end_and_compare (&f);
  fixture_clear (&f);
}

/* Changes made by another device, so that the client has something to pull. */
static void
remote_changes (Fixture *f,
                guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *uid = g_uuid_string_random ();
      g_autofree char *body = g_strdup_printf ("{\"uid\":\"%s\",\"title\":\"remote %u\",\"body\":\"from elsewhere\","
                                               "\"pinned\":false,\"tags\":[],"
                                               "\"created_at\":\"2024-01-02T03:04:05.000Z\","
                                               "\"updated_at\":\"2024-01-02T03:04:05.000Z\"}",
                                               uid, f->next_title++);
      g_autoptr(SiTestResponse) r = si_test_server_request (f->server, "POST", "/api/v1/ideas", f->token, body, NULL);
      g_assert_cmpuint (r->status, ==, 201);
    }
}

static void
test_kill_server (void)
{
  Fixture f = { 0 };
  guint interrupted = 0;

  fixture_init (&f, 400);
  for (guint trial = 0; trial < n_trials (); trial++)
    {
      g_autoptr(GSubprocess) process = NULL;
      guint delay = (guint) g_rand_int_range (f.rand, 0, 80);
      int status;

      remote_changes (&f, 5);
      local_changes (&f, 20);
      process = spawn_cli_sync (&f);
      run_for (delay);
      si_test_server_stop (f.server, SIGKILL);
      g_assert_true (g_subprocess_wait (process, NULL, NULL));
      status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
      if (status != 0)
        interrupted++;
      /* A new port each time: point the notebook at it, as a user would after a move. */
      si_test_server_start (f.server);
      fixture_set_account (&f);
    }
  g_test_message ("%u of %u syncs interrupted by the server's death", interrupted, n_trials ());
  sync_to_the_end_and_compare (&f);
  fixture_clear (&f);
}

/* ---------------------------------------------------------------------------------------- */
/* saves killed during a burst */

#define BURST_SAVES 400

static char *
burst_title (guint i)
{
  return g_strdup_printf ("Burst idea %u", i);
}

/* The child (test-crash --save-burst PATH): saves ideas of about 12 KiB (some 33 pages of log
 * each) back to back, and prints each one's id once its save returned. */
static int
save_burst (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = si_store_new (path, &error);
  g_autoptr(GString) text = g_string_new (NULL);

  if (store == NULL)
    g_error ("%s", error->message);
  for (guint i = 0; text->len < 12 * 1024; i++)
    g_string_append_printf (text, "word%u ", i % 997);
  for (guint i = 0; i < BURST_SAVES; i++)
    {
      g_autofree char *title = burst_title (i);
      g_autofree char *body = g_strdup_printf ("%s zq%uzq", text->str, i);
      g_autoptr(SiIdea) idea = si_idea_new (title, body);

      if (!si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error))
        g_error ("%s", error->message);
      printf ("%" G_GINT64_FORMAT "\n", si_idea_get_id (idea));
      fflush (stdout);
    }
  return 0;
}

/* SIGKILL after @acknowledged saves returned: past the thread's first copy of the log during
 * the burst (about 45 saves), and past the cap (about 120). */
static void
test_kill_saving (void)
{
  static const guint kill_after[] = { 50, 130 };
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  for (guint k = 0; k < G_N_ELEMENTS (kill_after); k++)
    {
      g_autofree char *dir = g_dir_make_tmp ("saveidea-burst-XXXXXX", NULL);
      g_autofree char *path = g_build_filename (dir, "notebook.db", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, test_program,
                                                       "--save-burst", path, NULL);
      g_autoptr(GDataInputStream) out = NULL;
      g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(SiStore) store = NULL;
      sqlite3 *db = NULL;
      sqlite3_stmt *stmt = NULL;

      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
      while (ids->len < kill_after[k])
        {
          g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);
          gint64 id;

          g_assert_no_error (error);
          g_assert_nonnull (line);
          id = g_ascii_strtoll (line, NULL, 10);
          g_array_append_val (ids, id);
        }
      kill_and_wait (child);

      store = si_store_new (path, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr(SiIdea) idea = si_store_get_idea (store, g_array_index (ids, gint64, i), &error);
          g_autofree char *title = burst_title (i);

          g_assert_no_error (error);
          g_assert_nonnull (idea);
          g_assert_cmpstr (si_idea_get_title (idea), ==, title);
        }
      /* The search index holds the last acknowledged save, and only once. */
      {
        g_autofree char *word = g_strdup_printf ("zq%uzq", ids->len - 1);
        SiIdeaFilter filter = { .search = word };
        g_autoptr(GArray) keys = si_store_query_ideas (store, &filter, &error);

        g_assert_no_error (error);
        g_assert_cmpuint (keys->len, ==, 1);
      }
      g_clear_object (&store);

      g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
      sqlite3_finalize (stmt);
      g_assert_cmpint (sqlite3_exec (db, "INSERT INTO ideas_fts (ideas_fts) VALUES ('integrity-check')", NULL, NULL, NULL),
                       ==, SQLITE_OK);
      sqlite3_close (db);
      g_test_message ("killed after %u saves: all there", ids->len);
      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
          g_unlink (file);
        }
      g_rmdir (dir);
    }
}

int
main (int   argc,
      char *argv[])
{
  const char *env_seed = g_getenv ("SAVEIDEA_CRASH_SEED");

  if (argc == 3 && g_str_equal (argv[1], "--save-burst"))
    return save_burst (argv[2]);
  test_program = g_canonicalize_filename (argv[0], NULL);
  enter_mount_namespace ();
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--long"))
      {
        long_mode = TRUE;
        memmove (&argv[i], &argv[i + 1], (gsize) (argc - i) * sizeof (char *));
        argc--;
        break;
      }
  if (g_strcmp0 (g_getenv ("SAVEIDEA_CRASH_LONG"), "1") == 0)
    long_mode = TRUE;
  if (env_seed)
    seed = (guint32) g_ascii_strtoull (env_seed, NULL, 10);

  system_data_dirs = g_strdup (g_getenv ("XDG_DATA_DIRS") ? g_getenv ("XDG_DATA_DIRS") : "/usr/local/share:/usr/share");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_message ("seed %u%s", seed, long_mode ? ", long mode" : "");

  g_test_add_func ("/crash/full-disk/save", test_full_disk_save);
  g_test_add_func ("/crash/full-disk/import", test_full_disk_import);
  g_test_add_func ("/crash/kill-saving", test_kill_saving);
  if (g_getenv ("SAVEIDEA_CLI") && g_file_test (g_getenv ("SAVEIDEA_CLI"), G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_add_func ("/crash/kill-client", test_kill_client);
      g_test_add_func ("/crash/kill-server", test_kill_server);
    }
  return g_test_run ();
}
