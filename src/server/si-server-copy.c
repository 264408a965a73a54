/* si-server-copy.c — a SQLite server database copied into PostgreSQL (see si-server-copy.h).
 *
 * Both schemas have the same tables and columns (si-server-storage-sqlite.c and
 * si-server-storage-pg.c); the rows move as they are, ids, versions and times included, so
 * that every id, version, cursor and token a client holds means the same afterwards. The
 * source's tables and columns are checked against the list below before anything is copied:
 * a column added to the schemas without being added here stops the copy instead of being
 * left behind. Rows travel with COPY FROM STDIN in its text format, in chunks.
 */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include "si-server-copy.h"
#include "si-server-storage-private.h"

#define CHUNK_BYTES (256 * 1024)

typedef struct {
  const char *name;
  const char *columns;  /* in the SQLite table's order */
  const char *where;    /* the rows that stay behind */
} Table;

/* In an order that satisfies the foreign keys. SQLite keeps its schema version in
 * PRAGMA user_version; PostgreSQL's is written by _si_server_storage_pg_finish_copy(). */
static const Table tables[] = {
  { "meta", "key, value", " WHERE key NOT IN ('schema_version', 'moved')" },
  { "accounts", "id, name, pwhash, seq, created_at", "" },
  { "tokens", "hash, account_id, created_at", "" },
  { "records", "id, account_id, collection, uid, version, created_at, updated_at, deleted, "
               "title, body, pinned, tags, name, name_key, colour, device, written_at", "" },
  { "idea_tags", "tag_id, idea_id", "" },
  { "idea_history", "id, account_id, idea_id, version, written_at, updated_at, device, title, body, "
                    "pinned, tags, bytes", "" },
};

/* The source's table names, sorted, as the list above has them. */
#define KNOWN_TABLES "accounts, idea_history, idea_tags, meta, records, tokens"

typedef struct {
  SiServerStorage    *target;
  const Table        *table;
  GString            *chunk;
  SiServerCopyCounts *counts;
} Copy;

/* Reads the one text value of a query's one row. */
static gboolean
take_text (const char * const  *values,
           guint                n_values,
           gpointer             user_data,
           GError             **error)
{
  char **out = user_data;

  g_free (*out);
  *out = g_strdup (n_values > 0 && values[0] != NULL ? values[0] : "");
  return TRUE;
}

/* The source has exactly the tables and columns of tables[]. */
static gboolean
check_source_schema (SiServerStorage  *source,
                     const char       *data_dir,
                     GError          **error)
{
  g_autofree char *names = NULL;

  if (!_si_server_storage_sqlite_read (source,
                                       "SELECT group_concat(name, ', ') FROM (SELECT name FROM sqlite_master"
                                       " WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name)",
                                       take_text, &names, error))
    return FALSE;
  if (g_strcmp0 (names, KNOWN_TABLES) != 0)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_FAILED,
                   "The database in %s has the tables %s; this copy-to knows %s only: use the "
                   "saveidea-server that made it", data_dir, names, KNOWN_TABLES);
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT group_concat(name, ', ') FROM (SELECT name"
                                              " FROM pragma_table_info('%s') ORDER BY cid)",
                                              tables[i].name);
      g_autofree char *columns = NULL;

      if (!_si_server_storage_sqlite_read (source, sql, take_text, &columns, error))
        return FALSE;
      if (g_strcmp0 (columns, tables[i].columns) != 0)
        {
          g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_FAILED,
                       "The table %s in %s has the columns %s; this copy-to knows %s only: use "
                       "the saveidea-server that made it", tables[i].name, data_dir, columns,
                       tables[i].columns);
          return FALSE;
        }
    }
  return TRUE;
}

/* A value in COPY's text format: \N for NULL, backslash escapes for the delimiters. */
static void
append_value (GString    *out,
              const char *value)
{
  if (value == NULL)
    {
      g_string_append (out, "\\N");
      return;
    }
  for (const char *p = value; *p; p++)
    switch (*p)
      {
      case '\\': g_string_append (out, "\\\\"); break;
      case '\t': g_string_append (out, "\\t"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\r': g_string_append (out, "\\r"); break;
      default: g_string_append_c (out, *p); break;
      }
}

static void
count_row (Copy               *copy,
           const char * const *values)
{
  SiServerCopyCounts *counts = copy->counts;
  const char *name = copy->table->name;

  if (g_str_equal (name, "accounts"))
    counts->accounts++;
  else if (g_str_equal (name, "tokens"))
    counts->tokens++;
  else if (g_str_equal (name, "idea_tags"))
    counts->tag_links++;
  else if (g_str_equal (name, "records"))
    {
      /* collection is column 2, deleted column 7 (tables[]). */
      if (g_ascii_strtoll (values[2] ? values[2] : "", NULL, 10) == SI_WIRE_COLLECTION_TAGS)
        counts->tags++;
      else
        counts->ideas++;
      if (g_strcmp0 (values[7], "0") != 0)
        counts->tombstones++;
    }
}

static gboolean
copy_row (const char * const  *values,
          guint                n_values,
          gpointer             user_data,
          GError             **error)
{
  Copy *copy = user_data;

  for (guint i = 0; i < n_values; i++)
    {
      if (i > 0)
        g_string_append_c (copy->chunk, '\t');
      append_value (copy->chunk, values[i]);
    }
  g_string_append_c (copy->chunk, '\n');
  count_row (copy, values);

  if (copy->chunk->len < CHUNK_BYTES)
    return TRUE;
  if (!_si_server_storage_pg_copy_data (copy->target, copy->chunk->str, copy->chunk->len, error))
    return FALSE;
  g_string_truncate (copy->chunk, 0);
  return TRUE;
}

static gboolean
copy_table (Copy             *copy,
            SiServerStorage  *source,
            const Table      *table,
            GError          **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s%s", table->columns, table->name, table->where);

  copy->table = table;
  g_string_truncate (copy->chunk, 0);
  if (!_si_server_storage_pg_copy_begin (copy->target, table->name, table->columns, error))
    return FALSE;
  if (!_si_server_storage_sqlite_read (source, sql, copy_row, copy, error) ||
      (copy->chunk->len > 0 &&
       !_si_server_storage_pg_copy_data (copy->target, copy->chunk->str, copy->chunk->len, error)))
    {
      /* Ends the COPY; the transaction is undone when the target is closed. */
      _si_server_storage_pg_copy_end (copy->target, NULL);
      return FALSE;
    }
  return _si_server_storage_pg_copy_end (copy->target, error);
}

gboolean
si_server_copy_to_pg (const char          *data_dir,
                      const char          *conninfo,
                      SiServerCopyCounts  *out_counts,
                      GError             **error)
{
  g_autoptr(SiServerStorage) source = NULL;
  g_autoptr(SiServerStorage) target = NULL;
  g_autoptr(GString) chunk = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  SiServerCopyCounts counts = { 0 };
  Copy copy = { 0 };

  g_return_val_if_fail (data_dir != NULL, FALSE);
  g_return_val_if_fail (conninfo != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The source first: nothing touches the target while a server still runs on the source. */
  source = _si_server_storage_sqlite_open_alone (data_dir, error);
  if (source == NULL || !check_source_schema (source, data_dir, error))
    return FALSE;
  target = _si_server_storage_pg_open_empty (conninfo, error);
  if (target == NULL)
    return FALSE;

  copy.target = target;
  copy.chunk = chunk;
  copy.counts = &counts;
  for (gsize i = 0; i < G_N_ELEMENTS (tables); i++)
    if (!copy_table (&copy, source, &tables[i], error))
      {
        /* Closing @target rolls the transaction back. */
        g_prefix_error (error, "Copying the table %s failed, and nothing of the copy was kept: ",
                        tables[i].name);
        return FALSE;
      }
  if (!_si_server_storage_pg_finish_copy (target, si_server_storage_get_instance_id (source), error))
    return FALSE;

  /* The copy is the server now; a failure to say so in the source is no reason to undo it. */
  if (!_si_server_storage_sqlite_mark_moved (source, &local_error))
    g_warning ("Copied, but could not mark %s as moved (%s): never start a server on it again",
               data_dir, local_error->message);

  g_strlcpy (counts.instance_id, si_server_storage_get_instance_id (source), sizeof counts.instance_id);
  if (out_counts != NULL)
    *out_counts = counts;
  return TRUE;
}
