/* test-device.c — the notebook's device name, and which device wrote each idea. */
#include "config.h"

#include <sqlite3.h>

#include "si-device.h"
#include "si-store-private.h"
#include "si-wire.h"

static char *
temp_db_path (void)
{
  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  return g_build_filename (g_get_user_data_dir (), "test.db", NULL);
}

static SiStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = temp_db_path ();
  SiStore *store = si_store_new (path, &error);

  g_assert_no_error (error);
  return store;
}

static void
test_machine_info (void)
{
  g_autofree char *long_name = g_strnfill (100, 'x');
  g_autofree char *long_info = g_strdup_printf ("PRETTY_HOSTNAME=%s\n", long_name);
  g_autofree char *truncated = NULL;
  struct { const char *text; const char *name; } cases[] = {
    { "PRETTY_HOSTNAME=\"Ada's Laptop\"\nCHASSIS=laptop\n", "Ada's Laptop" },
    { "CHASSIS=desktop\nPRETTY_HOSTNAME='Büro-PC'\n", "Büro-PC" },
    { "PRETTY_HOSTNAME=plain", "plain" },
    { "  PRETTY_HOSTNAME=\"  two   spaces\tand a tab \"", "two spaces and a tab" },
    { "PRETTY_HOSTNAME=\"Ada \\\"Mac\\\" Book\"", "Ada \"Mac\" Book" },
    { "PRETTY_HOSTNAME=\"\"\n", NULL },
    { "PRETTY_HOSTNAME=\"unterminated\n", NULL },
    { "# PRETTY_HOSTNAME=commented\nDEPLOYMENT=production\n", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = si_device_name_from_machine_info (cases[i].text);
      g_assert_cmpstr (name, ==, cases[i].name);
    }

  /* A name too long is cut to the limit, and what is left is one the server takes. */
  truncated = si_device_name_from_machine_info (long_info);
  g_assert_cmpint (g_utf8_strlen (truncated, -1), ==, SI_DEVICE_NAME_MAX_CHARS);
  g_assert_true (si_wire_device_name_is_valid (truncated));
}

static void
test_clean (void)
{
  g_autofree char *control = si_device_name_clean ("a\x01" "b\x7f" "c");
  g_autofree char *invalid = si_device_name_clean ("caf\xe9");
  g_autofree char *blank = si_device_name_clean (" \t\n ");
  g_autofree char *separator = si_device_name_clean ("one\xe2\x80\xa8two");

  g_assert_cmpstr (control, ==, "a b c");
  g_assert_true (g_utf8_validate (invalid, -1, NULL));
  g_assert_true (si_wire_device_name_is_valid (invalid));
  g_assert_null (blank);
  g_assert_cmpstr (separator, ==, "one two");
  g_assert_null (si_device_name_clean (NULL));
}

static void
test_default_name (void)
{
  g_autofree char *name = si_device_dup_default_name ();
  g_autofree char *again = si_device_dup_default_name ();

  g_assert_nonnull (name);
  g_assert_true (si_wire_device_name_is_valid (name));
  g_assert_cmpstr (name, ==, again);
}

static void
test_set_name (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(SiStore) other = open_store ();   /* saveidea-cli on the same notebook */
  g_autoptr(GError) error = NULL;
  g_autofree char *fallback = si_device_dup_default_name ();
  g_autofree char *too_long = g_strnfill (SI_DEVICE_NAME_MAX_CHARS + 1, 'y');
  g_autofree char *longest = g_strnfill (SI_DEVICE_NAME_MAX_CHARS, 'y');
  char *name;

  name = si_device_dup_name (store);
  g_assert_cmpstr (name, ==, fallback);
  g_free (name);
  g_assert_null (si_device_dup_custom_name (store));

  g_assert_true (si_device_set_name (store, "  Ada's laptop ", &error));
  g_assert_no_error (error);
  name = si_device_dup_name (other);
  g_assert_cmpstr (name, ==, "Ada's laptop");
  g_free (name);
  name = si_device_dup_custom_name (store);
  g_assert_cmpstr (name, ==, "Ada's laptop");
  g_free (name);

  /* Refused, and the name stays. */
  g_assert_false (si_device_set_name (store, too_long, &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (si_device_set_name (store, "two\nlines", &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (si_device_set_name (store, "bell\a", &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (si_device_set_name (store, "caf\xe9", &error));
  g_assert_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID);
  g_clear_error (&error);
  name = si_device_dup_name (store);
  g_assert_cmpstr (name, ==, "Ada's laptop");
  g_free (name);

  g_assert_true (si_device_set_name (store, longest, &error));
  g_assert_no_error (error);

  /* Empty: back to the default. */
  g_assert_true (si_device_set_name (store, " ", &error));
  g_assert_no_error (error);
  g_assert_null (si_device_dup_custom_name (other));
  name = si_device_dup_name (other);
  g_assert_cmpstr (name, ==, fallback);
  g_free (name);
}

static void
test_local_edits (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) idea = si_idea_new ("Title", "Body");
  g_autoptr(SiIdea) read = NULL;
  g_autofree char *fallback = si_device_dup_default_name ();

  g_assert_null (si_idea_get_device (idea));
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_device (idea), ==, fallback);

  g_assert_true (si_device_set_name (store, "desk", &error));
  si_idea_set_body (idea, "Body, edited");
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_device (idea), ==, "desk");

  read = si_store_get_idea (store, si_idea_get_id (idea), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_device (read), ==, "desk");
}

static void
test_from_server (void)
{
  g_autoptr(SiStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) idea = si_idea_new ("Title", "Body");
  gint64 generation;

  g_assert_true (si_device_set_name (store, "desk", &error));

  /* Written by another device, as a pull writes it. */
  _si_idea_set_device (idea, "laptop");
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_FROM_SERVER, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_device (idea), ==, "laptop");
  g_assert_false (si_idea_is_dirty (idea));

  /* The same content from a third device: only who wrote it changes, still clean. */
  _si_idea_set_device (idea, "tablet");
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_FROM_SERVER, &error));
  g_assert_cmpstr (si_idea_get_device (idea), ==, "tablet");
  g_assert_false (si_idea_is_dirty (idea));

  /* From a server that does not know device names: not known. */
  _si_idea_set_device (idea, NULL);
  si_idea_set_title (idea, "Title, from an old client");
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_FROM_SERVER, &error));
  g_assert_null (si_idea_get_device (idea));

  /* Saving it unchanged here is no edit, and does not claim it. */
  generation = si_idea_get_generation (idea);
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_cmpint (si_idea_get_generation (idea), ==, generation);
  g_assert_false (si_idea_is_dirty (idea));
  g_assert_null (si_idea_get_device (idea));

  /* An edit here is this device's. */
  si_idea_set_body (idea, "Edited on the desk");
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_cmpstr (si_idea_get_device (idea), ==, "desk");
  g_assert_true (si_idea_is_dirty (idea));
}

/* A notebook from before device names (the schema-1 fixture test-store.c migrates too, so this
 * holds whatever other migrations come before or after this one): its ideas say no device, and
 * an edit after the upgrade is this device's. */
static void
test_migration (void)
{
  g_autofree char *path = temp_db_path ();
  g_autofree char *fixture = g_test_build_filename (G_TEST_DIST, "data", "schema-v1.sql", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = NULL;
  g_autoptr(SiIdea) old = NULL;
  sqlite3 *db = NULL;

  g_assert_true (g_file_get_contents (fixture, &sql, NULL, &error));
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = si_store_new (path, &error);
  g_assert_no_error (error);
  old = si_store_get_idea (store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_title (old), ==, "Night train to Vienna");
  g_assert_null (si_idea_get_device (old));

  g_assert_true (si_device_set_name (store, "desk", &error));
  si_idea_set_body (old, "Edited after the upgrade");
  g_assert_true (si_store_save_idea (store, old, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (si_idea_get_device (old), ==, "desk");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/device/machine-info", test_machine_info);
  g_test_add_func ("/device/clean", test_clean);
  g_test_add_func ("/device/default-name", test_default_name);
  g_test_add_func ("/device/set-name", test_set_name);
  g_test_add_func ("/device/local-edits", test_local_edits);
  g_test_add_func ("/device/from-server", test_from_server);
  g_test_add_func ("/device/migration", test_migration);
  return g_test_run ();
}
