/* test-merge.c — three-way merges: nothing is lost, overlapping edits are conflicts. */
#include "config.h"

#include "si-merge.h"

static void
check_text (const char *base, const char *local, const char *remote, const char *expected)
{
  g_autofree char *merged = NULL;
  gboolean ok = si_merge_text (base, local, remote, &merged);

  if (expected == NULL)
    {
      g_assert_false (ok);
      g_assert_null (merged);
    }
  else
    {
      g_assert_true (ok);
      g_assert_cmpstr (merged, ==, expected);
    }
}

static void
test_text (void)
{
  /* one side changed */
  check_text ("a\nb\nc\n", "a\nB\nc\n", "a\nb\nc\n", "a\nB\nc\n");
  check_text ("a\nb\nc\n", "a\nb\nc\n", "a\nb\nC\n", "a\nb\nC\n");
  /* both made the same edit */
  check_text ("a\nb\n", "a\nX\n", "a\nX\n", "a\nX\n");
  /* edits far apart both survive */
  check_text ("1\n2\n3\n4\n5\n6\n", "ONE\n2\n3\n4\n5\n6\n", "1\n2\n3\n4\n5\nSIX\n", "ONE\n2\n3\n4\n5\nSIX\n");
  /* insertions at both ends */
  check_text ("m\n", "top\nm\n", "m\nbottom\n", "top\nm\nbottom\n");
  /* a deletion on one side, an edit elsewhere on the other */
  check_text ("a\nb\nc\nd\ne\n", "a\nc\nd\ne\n", "a\nb\nc\nd\nE\n", "a\nc\nd\nE\n");
  /* the same line changed differently: conflict */
  check_text ("a\nb\nc\n", "a\nL\nc\n", "a\nR\nc\n", NULL);
  /* an edit against a deletion of the same line: conflict */
  check_text ("a\nb\nc\n", "a\nc\n", "a\nB\nc\n", NULL);
  /* empty base, both wrote something different */
  check_text ("", "local\n", "remote\n", NULL);
  /* no trailing newline */
  check_text ("x\ny", "X\ny", "x\ny", "X\ny");
}

static SiWireRecord *
idea (const char *title, const char *body, gboolean pinned, const gint64 *tags)
{
  SiWireRecord *r = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);

  g_free (r->title);
  r->title = g_strdup (title);
  g_free (r->body);
  r->body = g_strdup (body);
  r->pinned = pinned;
  r->uid = g_strdup ("00000000-0000-4000-8000-000000000001");
  for (; tags && *tags; tags++)
    si_wire_record_add_tag (r, *tags);
  return r;
}

static gboolean
has_tag (SiWireRecord *r, gint64 t)
{
  for (guint i = 0; i < r->tags->len; i++)
    if (g_array_index (r->tags, gint64, i) == t)
      return TRUE;
  return FALSE;
}

static void
test_records (void)
{
  static const gint64 t12[] = { 1, 2, 0 }, t123[] = { 1, 2, 3, 0 }, t2[] = { 2, 0 }, t24[] = { 2, 4, 0 };
  g_autoptr(SiWireRecord) base = idea ("Title", "one\ntwo\nthree\n", FALSE, t12);
  SiWireRecord *merged = NULL;

  /* identical content is no conflict */
  {
    g_autoptr(SiWireRecord) l = idea ("New", "x\n", TRUE, t2);
    g_autoptr(SiWireRecord) r = idea ("New", "x\n", TRUE, t2);
    g_assert_cmpint (si_merge_records (base, l, r, &merged), ==, SI_MERGE_IDENTICAL);
    g_assert_null (merged);
  }
  /* only remote changed */
  {
    g_autoptr(SiWireRecord) l = si_wire_record_copy (base);
    g_autoptr(SiWireRecord) r = idea ("Remote", "one\ntwo\nthree\n", FALSE, t12);
    g_assert_cmpint (si_merge_records (base, l, r, &merged), ==, SI_MERGE_TAKE_REMOTE);
  }
  /* different fields changed: both kept */
  {
    g_autoptr(SiWireRecord) l = idea ("Local title", "one\ntwo\nthree\n", FALSE, t12);
    g_autoptr(SiWireRecord) r = idea ("Title", "one\ntwo\nthree\n", TRUE, t123);
    g_autoptr(SiWireRecord) m = NULL;
    g_assert_cmpint (si_merge_records (base, l, r, &m), ==, SI_MERGE_MERGED);
    g_assert_cmpstr (m->title, ==, "Local title");
    g_assert_cmpstr (m->body, ==, "one\ntwo\nthree\n");
    g_assert_true (m->pinned);
    g_assert_cmpuint (m->tags->len, ==, 3);
    g_assert_true (has_tag (m, 3));
  }
  /* body edits that do not overlap: line merge */
  {
    g_autoptr(SiWireRecord) l = idea ("Title", "ONE\ntwo\nthree\n", FALSE, t12);
    g_autoptr(SiWireRecord) r = idea ("Title", "one\ntwo\nTHREE\n", FALSE, t12);
    g_autoptr(SiWireRecord) m = NULL;
    g_assert_cmpint (si_merge_records (base, l, r, &m), ==, SI_MERGE_MERGED);
    g_assert_cmpstr (m->body, ==, "ONE\ntwo\nTHREE\n");
    g_assert_cmpstr (m->title, ==, "Title");
  }
  /* tag sets: one side removed 1, the other added 4 */
  {
    g_autoptr(SiWireRecord) l = idea ("Title", "one\ntwo\nthree\n", FALSE, t2);
    g_autoptr(SiWireRecord) r = idea ("Title", "one\ntwo\nthree\n", FALSE, (const gint64[]) { 1, 2, 4, 0 });
    g_autoptr(SiWireRecord) m = NULL;
    g_assert_cmpint (si_merge_records (base, l, r, &m), ==, SI_MERGE_MERGED);
    g_assert_cmpuint (m->tags->len, ==, 2);
    g_assert_true (has_tag (m, 2));
    g_assert_true (has_tag (m, 4));
    g_assert_false (has_tag (m, 1));
    (void) t24;
  }
  /* overlapping body edits: conflict */
  {
    g_autoptr(SiWireRecord) l = idea ("Title", "one\nLOCAL\nthree\n", FALSE, t12);
    g_autoptr(SiWireRecord) r = idea ("Title", "one\nREMOTE\nthree\n", FALSE, t12);
    g_assert_cmpint (si_merge_records (base, l, r, &merged), ==, SI_MERGE_CONFLICT);
    g_assert_null (merged);
  }
  /* the title changed differently on both sides: conflict */
  {
    g_autoptr(SiWireRecord) l = idea ("L", "one\ntwo\nthree\n", FALSE, t12);
    g_autoptr(SiWireRecord) r = idea ("R", "one\ntwo\nthree\n", FALSE, t12);
    g_assert_cmpint (si_merge_records (base, l, r, NULL), ==, SI_MERGE_CONFLICT);
  }
  /* no base: only identical fields merge, tags are united */
  {
    g_autoptr(SiWireRecord) l = idea ("Same", "body\n", FALSE, t12);
    g_autoptr(SiWireRecord) r = idea ("Same", "body\n", TRUE, t24);
    g_autoptr(SiWireRecord) m = NULL;
    g_assert_cmpint (si_merge_records (NULL, l, r, &m), ==, SI_MERGE_MERGED);
    g_assert_cmpuint (m->tags->len, ==, 3);
    g_assert_true (m->pinned);
    {
      g_autoptr(SiWireRecord) other = idea ("a", "", FALSE, NULL);
      g_assert_cmpint (si_merge_records (NULL, other, r, NULL), ==, SI_MERGE_CONFLICT);
    }
  }
  /* only local changed */
  {
    g_autoptr(SiWireRecord) l = idea ("Title", "one\ntwo\nthree\nfour\n", FALSE, t12);
    g_autoptr(SiWireRecord) r = si_wire_record_copy (base);
    g_autoptr(SiWireRecord) m = NULL;
    g_assert_cmpint (si_merge_records (base, l, r, &m), ==, SI_MERGE_KEEP_LOCAL);
    g_assert_cmpstr (m->body, ==, "one\ntwo\nthree\nfour\n");
  }
  /* tags: a colour and a name changed on different sides */
  {
    g_autoptr(SiWireRecord) b = si_wire_record_new (SI_WIRE_COLLECTION_TAGS);
    g_autoptr(SiWireRecord) l = NULL, r = NULL, m = NULL;
    g_free (b->name); b->name = g_strdup ("work");
    l = si_wire_record_copy (b);
    r = si_wire_record_copy (b);
    g_free (l->name); l->name = g_strdup ("Work");
    g_free (r->colour); r->colour = g_strdup ("#ff0000");
    g_assert_cmpint (si_merge_records (b, l, r, &m), ==, SI_MERGE_MERGED);
    g_assert_cmpstr (m->name, ==, "Work");
    g_assert_cmpstr (m->colour, ==, "#ff0000");
  }
}

/* The edits between two texts, applied from the last to the first, give the new text. */
static char *
apply_diff (const char *old_text,
            const char *new_text,
            guint      *n_edits)
{
  g_autoptr(GArray) edits = si_merge_diff_text (old_text, new_text);
  GString *out = g_string_new (old_text);

  for (guint i = edits->len; i-- > 0;)
    {
      const SiTextEdit *edit = &g_array_index (edits, SiTextEdit, i);

      g_assert_true (g_utf8_validate (old_text + edit->start, (gssize) edit->old_len, NULL));
      g_assert_true (g_utf8_validate (new_text + edit->new_start, (gssize) edit->new_len, NULL));
      g_assert_true (edit->old_len > 0 || edit->new_len > 0);
      if (i > 0)
        g_assert_cmpuint (g_array_index (edits, SiTextEdit, i - 1).start + g_array_index (edits, SiTextEdit, i - 1).old_len, <=, edit->start);
      g_string_erase (out, (gssize) edit->start, (gssize) edit->old_len);
      g_string_insert_len (out, (gssize) edit->start, new_text + edit->new_start, (gssize) edit->new_len);
    }
  *n_edits = edits->len;
  return g_string_free (out, FALSE);
}

static void
test_diff (void)
{
  static const struct {
    const char *old_text, *new_text;
    guint n_edits;
  } cases[] = {
    { "same\n", "same\n", 0 },
    { "", "new\n", 1 },
    { "gone\n", "", 1 },
    /* Two lines apart: two edits, each only the letters that differ. */
    { "Milk\nEggs\nBread\n", "Oat milk\nEggs\nBread and butter\n", 2 },
    { "a\nb\nc\nd\n", "a\nB\nc\nD\ne\n", 2 },
    /* Letters that share their first byte (é, è): the edit does not split them. */
    { "caf\xc3\xa9\n", "caf\xc3\xa8\n", 1 },
    { "\xc3\xa9t\xc3\xa9", "\xc3\xa8t\xc3\xa9", 1 },
    { "x\xc3\xa9y", "x\xc4\xa9y", 1 },
    { "no newline", "no newline at the end", 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint n = 0;
      g_autofree char *result = apply_diff (cases[i].old_text, cases[i].new_text, &n);

      g_assert_cmpstr (result, ==, cases[i].new_text);
      g_assert_cmpuint (n, ==, cases[i].n_edits);
    }

  /* Only what differs: the first line's "M" becomes "Oat m", the rest stays. */
  {
    g_autoptr(GArray) edits = si_merge_diff_text ("Milk\nEggs\n", "Oat milk\nEggs\n");
    const SiTextEdit *edit = &g_array_index (edits, SiTextEdit, 0);

    g_assert_cmpuint (edits->len, ==, 1);
    g_assert_cmpuint (edit->start, ==, 0);
    g_assert_cmpuint (edit->old_len, ==, 1);
    g_assert_cmpuint (edit->new_len, ==, 5);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/merge/text", test_text);
  g_test_add_func ("/merge/records", test_records);
  g_test_add_func ("/merge/diff", test_diff);
  return g_test_run ();
}
