/* fuzz-merge.c — the three-way merge never crashes and never loses an edit.
 *
 * The input is three texts separated by NUL bytes (base, local, remote). For any three texts:
 * si_merge_text() and si_merge_records() return, and a merged text is valid when the inputs
 * are. Invariants checked on every input:
 *  - merging identical sides gives that side (text: TRUE and equal; records: IDENTICAL);
 *  - a change on one side only is taken (text: the changed side; records: TAKE_REMOTE or
 *    KEEP_LOCAL);
 *  - two edits of different, non-adjacent lines of a base with distinct lines merge cleanly,
 *    and the result is the base with both edits;
 *  - the edits si_merge_diff_text() finds between local and remote are in order, not empty,
 *    do not overlap, turn local into remote, and between valid texts cut no character.
 */
#define G_LOG_DOMAIN "saveidea-fuzz"

#include "config.h"

#include <string.h>

#include "si-merge.h"

#include "si-fuzz.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  si_fuzz_init_logging ();
  return 0;
}

static void
expect_text (const char *base,
             const char *local,
             const char *remote,
             const char *expected)
{
  g_autofree char *merged = NULL;

  if (!si_merge_text (base, local, remote, &merged))
    g_error ("merge of base %s, local %s, remote %s failed; expected %s", base, local, remote, expected);
  if (g_strcmp0 (merged, expected) != 0)
    g_error ("merge of base %s, local %s, remote %s gave %s; expected %s", base, local, remote, merged, expected);
}

static SiWireRecord *
make_idea (const char *title,
           const char *body,
           guint8      bits)
{
  SiWireRecord *record = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);

  record->uid = g_strdup ("00000000-0000-4000-8000-000000000001");
  g_free (record->title);
  record->title = g_strdup (title);
  g_free (record->body);
  record->body = g_strdup (body);
  record->pinned = bits & 1;
  for (gint64 tag = 1; tag <= 4; tag++)
    if (bits & (1 << tag))
      si_wire_record_add_tag (record, tag);
  return record;
}

static void
expect_result (const SiWireRecord *base,
               const SiWireRecord *local,
               const SiWireRecord *remote,
               SiMergeResult       expected)
{
  g_autoptr(SiWireRecord) merged = NULL;
  SiMergeResult result = si_merge_records (base, local, remote, &merged);

  if (result != expected)
    g_error ("si_merge_records gave %d, expected %d", result, expected);
}

/* Base lines made distinct ("N:..."), local edits line i, remote line j (|i - j| >= 2), with
 * texts that appear nowhere else. */
static void
check_disjoint_edits (char      **lines,
                      const char *local_text,
                      const char *remote_text,
                      guint       seed)
{
  guint n = g_strv_length (lines);
  g_autoptr(GString) base = g_string_new (NULL);
  g_autoptr(GString) local = g_string_new (NULL);
  g_autoptr(GString) remote = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autofree char *l = g_strdelimit (g_strdup (local_text), "\n", ' ');
  g_autofree char *r = g_strdelimit (g_strdup (remote_text), "\n", ' ');
  guint i, j;

  if (n < 3)
    return;
  i = seed % n;
  j = (i + 2 + (seed / n) % (n - 2)) % n;  /* never i, i - 1 or i + 1 when n >= 3... */
  if ((i > j ? i - j : j - i) < 2)
    return;                                /* ...except around the ends */
  for (guint k = 0; k < n; k++)
    {
      g_autofree char *orig = g_strdup_printf ("%u:%s\n", k, lines[k]);
      g_autofree char *mine = g_strdup_printf ("L%u:%s\n", k, l);
      g_autofree char *theirs = g_strdup_printf ("R%u:%s\n", k, r);

      g_string_append (base, orig);
      g_string_append (local, k == i ? mine : orig);
      g_string_append (remote, k == j ? theirs : orig);
      g_string_append (expected, k == i ? mine : k == j ? theirs : orig);
    }
  expect_text (base->str, local->str, remote->str, expected->str);
}

static void
check_diff (const char *old_text,
            const char *new_text)
{
  g_autoptr(GArray) edits = si_merge_diff_text (old_text, new_text);
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean valid = g_utf8_validate (old_text, -1, NULL) && g_utf8_validate (new_text, -1, NULL);
  gsize old_length = strlen (old_text), new_length = strlen (new_text), at = 0;

  for (guint i = 0; i < edits->len; i++)
    {
      const SiTextEdit *edit = &g_array_index (edits, SiTextEdit, i);

      if (edit->start < at || edit->start + edit->old_len > old_length ||
          edit->new_start + edit->new_len > new_length || (edit->old_len == 0 && edit->new_len == 0))
        g_error ("diff edit %u is out of order, out of range or empty", i);
      if (valid && (!g_utf8_validate (old_text + edit->start, (gssize) edit->old_len, NULL) ||
                    !g_utf8_validate (new_text + edit->new_start, (gssize) edit->new_len, NULL)))
        g_error ("diff edit %u cuts a character", i);
      g_string_append_len (out, old_text + at, (gssize) (edit->start - at));
      g_string_append_len (out, new_text + edit->new_start, (gssize) edit->new_len);
      at = edit->start + edit->old_len;
    }
  g_string_append (out, old_text + at);
  if (!g_str_equal (out->str, new_text))
    g_error ("the diff of %s and %s gives %s", old_text, new_text, out->str);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *copy = g_malloc (size + 1);
  const char *texts[3] = { "", "", "" };
  g_autofree char *merged = NULL;
  guint8 bits = size ? data[0] : 0;

  /* base NUL local NUL remote: the part after a second NUL belongs to remote */
  memcpy (copy, data, size);
  copy[size] = '\0';
  {
    const char *q = copy;
    for (guint i = 0; i < 3; i++)
      {
        texts[i] = q;
        q += strlen (q);
        if ((gsize) (q - copy) >= size)
          {
            for (guint k = i + 1; k < 3; k++)
              texts[k] = "";
            break;
          }
        q++;
      }
  }

  /* Whatever the texts: no crash, and a merge of valid UTF-8 is valid UTF-8. */
  if (si_merge_text (texts[0], texts[1], texts[2], &merged))
    {
      if (merged == NULL)
        g_error ("si_merge_text returned TRUE without a text");
      if (g_utf8_validate (texts[0], -1, NULL) && g_utf8_validate (texts[1], -1, NULL) &&
          g_utf8_validate (texts[2], -1, NULL) && !g_utf8_validate (merged, -1, NULL))
        g_error ("a merge of valid texts is not valid UTF-8");
    }
  else if (merged != NULL)
    g_error ("si_merge_text returned FALSE with a text");

  check_diff (texts[1], texts[2]);
  expect_text (texts[0], texts[1], texts[1], texts[1]);
  expect_text (texts[0], texts[0], texts[2], texts[2]);
  expect_text (texts[0], texts[1], texts[0], texts[1]);

  {
    g_auto(GStrv) lines = g_strsplit (texts[0], "\n", 64);
    check_disjoint_edits (lines, texts[1], texts[2], size);
  }

  if (g_utf8_validate (texts[0], -1, NULL) && g_utf8_validate (texts[1], -1, NULL) &&
      g_utf8_validate (texts[2], -1, NULL))
    {
      guint8 lbits = size > 1 ? data[1] : 0, rbits = size > 2 ? data[2] : 0;
      g_autoptr(SiWireRecord) base = make_idea ("title", texts[0], bits);
      g_autoptr(SiWireRecord) local = make_idea (lbits & 0x80 ? "mine" : "title", texts[1], lbits);
      g_autoptr(SiWireRecord) remote = make_idea (rbits & 0x80 ? "theirs" : "title", texts[2], rbits);
      g_autoptr(SiWireRecord) merged_record = NULL;
      SiMergeResult result;

      expect_result (base, local, local, SI_MERGE_IDENTICAL);
      if (!si_wire_record_content_equal (base, remote))
        expect_result (base, base, remote, SI_MERGE_TAKE_REMOTE);
      if (!si_wire_record_content_equal (base, local))
        expect_result (base, local, base, SI_MERGE_KEEP_LOCAL);

      /* Any three: a result, and a merged record only with KEEP_LOCAL or MERGED. */
      result = si_merge_records (base, local, remote, &merged_record);
      if ((merged_record != NULL) != (result == SI_MERGE_KEEP_LOCAL || result == SI_MERGE_MERGED))
        g_error ("si_merge_records gave %d with%s a merged record", result, merged_record ? "" : "out");
      if (result == SI_MERGE_MERGED && g_strcmp0 (merged_record->uid, local->uid) != 0)
        g_error ("a merged record lost the local uid");
      g_clear_pointer (&merged_record, si_wire_record_free);
      si_merge_records (NULL, local, remote, &merged_record);
    }
  return 0;
}
