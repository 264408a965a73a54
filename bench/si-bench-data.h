/* si-bench-data.h — realistic notebooks made deterministically from a seed, for benchmarks. */
#pragma once

#include "si-store.h"

G_BEGIN_DECLS

#define SI_BENCH_TAGS 50

const char *si_bench_word     (GRand    *rand);
char     *si_bench_make_title  (GRand    *rand);
char     *si_bench_make_body   (GRand    *rand);
gboolean  si_bench_fill_store  (SiStore  *store,
                                guint     n_ideas,
                                guint32   seed,
                                GError  **error);
gboolean  si_bench_make_notebook (const char *path,
                                  guint       n_ideas,
                                  GError    **error);
void      si_bench_remove_tree   (const char *path);
double    si_bench_now_ms      (void);
double    si_bench_percentile  (GArray   *samples_ms,
                                double    p);
void      si_bench_report      (const char *name,
                                double      value,
                                const char *unit,
                                const char *target);
void      si_bench_print_json  (void);

/* `saveidea-server --data DATA_DIR user add NAME`, the password on its standard input; aborts
 * when it fails. */
void         si_bench_server_add_user (const char          *binary,
                                       const char          *data_dir,
                                       const char          *name,
                                       const char          *password);
/* Starts saveidea-server with @argv (the binary first, NULL-terminated) and returns it, with
 * *@out_url the URL it prints first; aborts when it does not start. */
GSubprocess *si_bench_server_start    (const char * const  *argv,
                                       char               **out_url);
/* POST /api/v1/login at @url as @name; the token. Aborts when it fails. */
char        *si_bench_server_log_in   (const char          *url,
                                       const char          *name,
                                       const char          *password);
/* The notebook at @path (made when missing) set up for the account @name at @url, without a
 * token (saveidea-cli takes it from SAVEIDEA_TOKEN). Aborts when it fails. */
void         si_bench_notebook_set_account (const char     *path,
                                            const char     *url,
                                            const char     *name);

G_END_DECLS
