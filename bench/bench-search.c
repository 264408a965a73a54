/* bench-search.c — search in a Japanese notebook: words found inside text (ideas_cjk), what that
 * index costs on disk and per saved idea.
 *
 * Usage: bench-search [N_IDEAS] (default 100000). Builds two notebooks of N ideas in a temporary
 * folder, the same ideas in both (seeded): one as the store makes it, one whose index fill
 * leaves ideas_cjk empty. Prints the rate of both at saving the ideas (one transaction, a save
 * each) and at indexing them (the store's fill), the saved edit's time in both, the size of
 * each search index (dbstat), and the time of searches of 1 to 4 characters, drawn from the
 * words as they occur.
 *
 * Ideas get titles of 2–5 words and bodies of 50–2,000 bytes (the Latin generator's range,
 * about 17–670 characters here): words joined by particles, sentences ending with 。, and now
 * and then a Latin word. The vocabulary is 120 real words, then thousands of made-up ones of 2–4
 * kanji or 3–5 katakana, drawn with a Zipf-like law as in si-bench-data.c.
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "si-bench-data.h"
#include "si-record-private.h"
#include "si-store-private.h"

#define VOCABULARY 20000
#define SEARCHES 500

static const char * const real_words[] = {
  "東京", "旅行", "メモ", "会議", "予定", "買い物", "料理", "レシピ", "仕事", "家族", "友達", "映画",
  "音楽", "写真", "散歩", "電車", "新幹線", "京都", "大阪", "北海道", "温泉", "天気", "週末", "来週",
  "明日", "今日", "昨日", "朝", "夜", "昼ご飯", "晩ご飯", "コーヒー", "パン", "ラーメン", "寿司",
  "本", "図書館", "勉強", "英語", "日本語", "プロジェクト", "デザイン", "アイデア", "計画", "予算",
  "チケット", "ホテル", "駅", "空港", "荷物", "準備", "連絡", "返事", "手紙", "誕生日", "プレゼント",
  "庭", "花", "野菜", "果物", "猫", "犬", "自転車", "修理", "掃除", "洗濯", "病院", "歯医者",
  "銀行", "郵便局", "買う", "読む", "書く", "作る", "行く", "見る", "聞く", "話す", "考える",
  "新しい", "古い", "大きい", "小さい", "楽しい", "難しい", "簡単", "大切", "必要", "確認",
  "北京", "上海", "我们", "明天", "工作", "学习", "朋友", "电影", "咖啡", "时间",
  "서울", "여행", "회의", "친구", "음식", "내일", "오늘", "사진", "커피", "계획",
  "山", "川", "海", "空", "雨", "雪", "春", "夏", "秋", "冬",
};

static const char * const particles[] = { "の", "を", "に", "は", "が", "で", "と", "から", "まで", "も" };
static const char * const latin[] = { "iPhone", "Wi-Fi", "PDF", "GitHub", "OK", "meeting", "café" };

static GPtrArray *vocabulary;

static void
ensure_vocabulary (void)
{
  g_autoptr(GRand) rand = NULL;

  if (vocabulary)
    return;
  rand = g_rand_new_with_seed (1);
  vocabulary = g_ptr_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (real_words); i++)
    g_ptr_array_add (vocabulary, g_strdup (real_words[i]));
  while (vocabulary->len < VOCABULARY)
    {
      GString *w = g_string_new (NULL);

      if (g_rand_int_range (rand, 0, 4) == 0)
        for (int n = g_rand_int_range (rand, 3, 6); n > 0; n--)
          g_string_append_unichar (w, g_rand_int_range (rand, 0x30A1, 0x30F3));   /* katakana */
      else
        for (int n = g_rand_int_range (rand, 2, 5); n > 0; n--)
          /* The 3,000 kanji of everyday text are spread over the block: take every seventh. */
          g_string_append_unichar (w, 0x4E00 + 7 * g_rand_int_range (rand, 0, 3000));
      g_ptr_array_add (vocabulary, g_string_free (w, FALSE));
    }
}

static const char *
word (GRand *rand)
{
  double u = g_rand_double (rand);
  guint rank = (guint) (exp (u * log (VOCABULARY)) - 1.0);

  ensure_vocabulary ();
  return g_ptr_array_index (vocabulary, MIN (rank, VOCABULARY - 1));
}

static char *
make_text (GRand *rand,
           gsize  min,
           gsize  max,
           gboolean title)
{
  GString *text = g_string_new (NULL);
  gsize target = g_rand_int_range (rand, min, max + 1);

  while (text->len < target)
    {
      if (g_rand_int_range (rand, 0, 40) == 0)
        g_string_append_printf (text, " %s ", latin[g_rand_int_range (rand, 0, G_N_ELEMENTS (latin))]);
      else
        g_string_append (text, word (rand));
      if (title)
        g_string_append (text, particles[g_rand_int_range (rand, 0, 3)]);
      else if (g_rand_int_range (rand, 0, 8) == 0)
        g_string_append (text, g_rand_int_range (rand, 0, 4) ? "。" : "。\n\n");
      else
        g_string_append (text, particles[g_rand_int_range (rand, 0, G_N_ELEMENTS (particles))]);
    }
  return g_string_free (text, FALSE);
}

static void
fill (SiStore *store,
      guint    n_ideas)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GError) error = NULL;
  gint64 start = 1700000000LL * G_USEC_PER_SEC;

  if (!_si_store_begin (store, &error))
    g_error ("%s", error->message);
  for (guint i = 0; i < n_ideas; i++)
    {
      g_autofree char *title = make_text (rand, 6, 30, TRUE);
      g_autofree char *body = make_text (rand, 50, 2000, FALSE);
      g_autoptr(SiIdea) idea = si_idea_new (title, body);
      gint64 when = start + (gint64) i * 60 * G_USEC_PER_SEC;

      _si_idea_set_timestamps (idea, when, when);
      if (!si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error))
        g_error ("%s", error->message);
    }
  if (!_si_store_commit (store, &error))
    g_error ("%s", error->message);
}

/* The pages of the tables and indexes @where names (SQL on dbstat's name), in MiB. */
static double
size_mib (SiStore    *store,
          const char *where)
{
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce (sum (pgsize), 0) FROM dbstat WHERE %s", where);
  sqlite3_stmt *stmt = NULL;
  double size = -1;

  if (sqlite3_prepare_v2 (_si_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    size = sqlite3_column_int64 (stmt, 0) / (1024.0 * 1024.0);
  sqlite3_finalize (stmt);
  return size;
}

static void
measure_search (SiStore *store)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  GArray *by_length[5] = { NULL };
  double matches[5] = { 0 };
  guint done = 0;

  for (guint len = 1; len <= 4; len++)
    by_length[len] = g_array_new (FALSE, FALSE, sizeof (double));
  while (done < SEARCHES)
    {
      const char *w = word (rand);
      guint len = 1 + done % 4;
      g_autofree char *query = NULL;
      SiIdeaFilter filter = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) keys = NULL;
      guint n_matches = 0;
      double begin, elapsed;

      if ((guint) g_utf8_strlen (w, -1) < len)
        continue;
      query = g_utf8_substring (w, 0, len);
      filter.search = query;
      begin = si_bench_now_ms ();
      keys = si_store_query_ideas_counted (store, &filter, &n_matches, &error);
      if (keys == NULL)
        g_error ("%s", error->message);
      elapsed = si_bench_now_ms () - begin;
      if (len >= 2)
        g_array_append_val (samples, elapsed);
      g_array_append_val (by_length[len], elapsed);
      matches[len] += n_matches;
      done++;
    }
  /* A CJK word and a Latin prefix together: ideas_fts among ideas_cjk's matches. */
  {
    g_autoptr(GArray) mixed = g_array_new (FALSE, FALSE, sizeof (double));

    for (guint i = 0; i < 100; i++)
      {
        const char *w = word (rand);
        g_autofree char *query = g_strdup_printf ("%s %.3s", w, latin[i % G_N_ELEMENTS (latin)]);
        SiIdeaFilter filter = { .search = query };
        g_autoptr(GError) error = NULL;
        g_autoptr(GArray) keys = NULL;
        double begin = si_bench_now_ms (), elapsed;

        if (!(keys = si_store_query_ideas (store, &filter, &error)))
          g_error ("%s", error->message);
        elapsed = si_bench_now_ms () - begin;
        g_array_append_val (mixed, elapsed);
      }
    si_bench_report ("cjk_search_with_latin_prefix_ms_p50", si_bench_percentile (mixed, 50), "ms", "");
    si_bench_report ("cjk_search_with_latin_prefix_ms_p99", si_bench_percentile (mixed, 99), "ms", "");
  }
  si_bench_report ("cjk_search_2_4_chars_ms_p50", si_bench_percentile (samples, 50), "ms", "<= 5");
  si_bench_report ("cjk_search_2_4_chars_ms_p99", si_bench_percentile (samples, 99), "ms", "");
  for (guint len = 1; len <= 4; len++)
    {
      g_autofree char *name = g_strdup_printf ("cjk_search_%u_chars_ms_p50", len);
      g_autofree char *mean = g_strdup_printf ("cjk_search_%u_chars_matches_mean", len);

      si_bench_report (name, si_bench_percentile (by_length[len], 50), "ms", "");
      si_bench_report (mean, matches[len] / by_length[len]->len, "ideas", "");
      g_array_unref (by_length[len]);
    }
}

/* Saved edits of random ideas: what a person typing Japanese waits for at each save (the
 * indexes are left to the fill since store schema 9: an edit only marks its idea waiting). */
static void
measure_edits (SiStore    *store,
               guint       n_ideas,
               const char *name)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree char *p50 = g_strdup_printf ("%s_ms_p50", name);
  g_autofree char *p99 = g_strdup_printf ("%s_ms_p99", name);

  for (int i = 0; i < 500; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SiIdea) idea = si_store_get_idea (store, g_rand_int_range (rand, 1, n_ideas + 1), &error);
      g_autofree char *body = NULL;
      double begin, elapsed;

      if (idea == NULL)
        continue;
      body = g_strdup_printf ("%s%s", si_idea_get_body (idea), word (rand));
      si_idea_set_body (idea, body);
      begin = si_bench_now_ms ();
      if (!si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error))
        g_error ("%s", error->message);
      elapsed = si_bench_now_ms () - begin;
      g_array_append_val (samples, elapsed);
    }
  si_bench_report (p50, si_bench_percentile (samples, 50), "ms", "");
  si_bench_report (p99, si_bench_percentile (samples, 99), "ms", "");
}

/* si_has_cjk () answering no: registered on a connection in place of the store's (the SQL
 * function of the notebook's format that says which text ideas_cjk holds), the index fill of
 * that connection leaves ideas_cjk empty, as a notebook without the CJK index. */
static void
sql_never_cjk (sqlite3_context  *context,
               int               n_values,
               sqlite3_value   **values)
{
  sqlite3_result_int (context, 0);
}

/* A notebook of @n_ideas Japanese ideas, saved one by one (they wait for the search index, as
 * since store schema 9), then indexed by the store's fill (si_store_fill_search(): both
 * indexes, or ideas_fts alone without @cjk_index). */
static SiStore *
make_notebook (const char *dir,
               const char *name,
               guint       n_ideas,
               gboolean    cjk_index)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  SiStore *store = si_store_new (path, &error);
  double begin;

  if (store == NULL)
    g_error ("%s", error->message);
  if (!cjk_index &&
      sqlite3_create_function (_si_store_get_db (store), "si_has_cjk", -1,
                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                               NULL, sql_never_cjk, NULL, NULL) != SQLITE_OK)
    g_error ("could not set the CJK index aside: %s", sqlite3_errmsg (_si_store_get_db (store)));
  begin = si_bench_now_ms ();
  fill (store, n_ideas);
  si_bench_report (cjk_index ? "cjk_generate_ideas_per_s" : "cjk_generate_without_cjk_index_ideas_per_s",
                   n_ideas / ((si_bench_now_ms () - begin) / 1000.0), "ideas/s", "");
  begin = si_bench_now_ms ();
  if (!si_store_fill_search (store, NULL, &error))
    g_error ("%s", error->message);
  si_bench_report (cjk_index ? "cjk_index_fill_ideas_per_s" : "cjk_index_fill_without_cjk_index_ideas_per_s",
                   n_ideas / ((si_bench_now_ms () - begin) / 1000.0), "ideas/s", "");
  if (si_store_get_search_pending (store) != 0)
    g_error ("the fill left %u ideas waiting", si_store_get_search_pending (store));
  return store;
}

int
main (int   argc,
      char *argv[])
{
  guint n_ideas = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("saveidea-bench-search-XXXXXX", &error);
  g_autoptr(SiStore) store = NULL;
  g_autoptr(SiStore) plain = NULL;

  g_assert_no_error (error);
  printf ("# %u Japanese ideas in %s\n", n_ideas, dir);
  plain = make_notebook (dir, "plain.db", n_ideas, FALSE);
  store = make_notebook (dir, "cjk.db", n_ideas, TRUE);
  /* Alternated, so that both see the same load. */
  measure_edits (plain, n_ideas, "cjk_saved_edit_without_cjk_index");
  measure_edits (store, n_ideas, "cjk_saved_edit");
  g_clear_object (&plain);
  si_bench_report ("cjk_notebook_file_mib", size_mib (store, "1"), "MiB", "");
  si_bench_report ("cjk_notebook_ideas_table_mib", size_mib (store, "name = 'ideas'"), "MiB", "");
  si_bench_report ("cjk_notebook_fts_index_mib", size_mib (store, "name LIKE 'ideas_fts%'"), "MiB", "");
  si_bench_report ("cjk_notebook_cjk_index_mib", size_mib (store, "name LIKE 'ideas_cjk%'"), "MiB", "");
  measure_search (store);
  si_bench_print_json ();

  g_clear_object (&store);
  si_bench_remove_tree (dir);
  return 0;
}
