/* SPDX-License-Identifier: MIT */
/*
 * autocomplete: search as the user types, without drowning the server
 * and without showing stale answers.
 *
 *   keystrokes (what is typed so far, at human speed)
 *   -> rx_debounce(150 ms)           wait until the typing pauses
 *   -> rx_distinct_until_changed     skip a query equal to the last one
 *   -> rx_switch_map(search)         a new query cancels the search still
 *                                    running for the previous one
 *   -> print the answers
 *
 * The search service is simulated: it answers after 100 to 600 ms. A
 * slow answer for an old query never reaches the screen, because
 * switch_map cancelled that call when the newer query arrived; the
 * summary counts the calls cancelled that way.
 *
 * With --virtual it runs on virtual time: instant and reproducible.
 */
#include <stdio.h>
#include <string.h>

#include <uvrx.h>

/* What the user has typed, and how long after the previous keystroke. */
static const struct {
    const char *text;
    int64_t gap_ms;
} keystrokes[] = {
    {"r", 0},
    {"re", 60},
    {"rea", 70},
    {"reac", 80},
    {"react", 200}, /* pauses long enough for a search, then more typing */
    {"reacti", 180},
    {"reactiv", 170},
    {"reactive", 60},
    {"reactive", 400}, /* the same text again: no second search */
    {"reactive s", 200},
    {"reactive st", 40},
    {"reactive str", 45},
    {"reactive stre", 50},
    {"reactive strea", 55},
    {"reactive stream", 60},
    {"reactive streams", 70},
};

static rx_scheduler *sched;
static uint64_t start;

static rx_value
answer(rx_value query, void *ctx, rx_error **err)
{
    char buf[128];

    (void)ctx;
    (void)err;
    snprintf(buf, sizeof buf, "top hits for '%s'", rx_str_cstr(query));
    return rx_str(buf);
}

static rx_sim_service *search_service;

static rx_observable *
search(rx_value query, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    printf("%5llu ms  search '%s'\n",
           (unsigned long long)(rx_scheduler_now(sched) - start),
           rx_str_cstr(query));
    return rx_sim_call(search_service, rx_value_retain(query));
}

static void
show(rx_value v, void *ctx)
{
    (void)ctx;
    printf("%5llu ms  show %s\n",
           (unsigned long long)(rx_scheduler_now(sched) - start),
           rx_str_cstr(v));
}

static void
fail(const rx_error *err, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "autocomplete: %s\n", rx_error_message(err));
}

int
main(int argc, char **argv)
{
    enum { N = sizeof keystrokes / sizeof keystrokes[0] };
    rx_observable *typed[N];
    rx_observable *ui;
    rx_observer obs = {.on_next = show, .on_error = fail};
    rx_sim_service_config cfg;
    bool virtual_time = false;
    rx_sim_service_stats st;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--virtual") == 0) {
            virtual_time = true;
        } else if (strcmp(argv[i], "--help") == 0) {
            printf("usage: %s [--virtual]\n"
                   "Simulated typing -> debounce -> distinct_until_changed "
                   "-> switch_map(search).\n  --virtual  run on virtual "
                   "time (instant, reproducible)\n",
                   argv[0]);
            return 0;
        } else {
            fprintf(stderr, "autocomplete: unknown option '%s' (try --help)\n",
                    argv[i]);
            return 2;
        }
    }
    sched = virtual_time ? rx_scheduler_virtual() : rx_scheduler_default();
    memset(&cfg, 0, sizeof cfg);
    cfg.sched = sched;
    cfg.respond = answer;
    cfg.latency.kind = RX_SIM_UNIFORM;
    cfg.latency.min_ms = 100;
    cfg.latency.max_ms = 600;
    cfg.seed = 3;
    search_service = rx_sim_service_new(&cfg);
    if (sched == NULL || search_service == NULL) {
        fprintf(stderr, "autocomplete: %s\n", rx_last_error_message());
        return 1;
    }
    /* The keystrokes, one after another, each after its gap. */
    for (size_t i = 0; i < N; i++) {
        typed[i] = rx_delay(rx_just(rx_str(keystrokes[i].text)),
                            keystrokes[i].gap_ms, sched);
    }
    ui = rx_switch_map(rx_distinct_until_changed(
                           rx_debounce(rx_concat_array(N, typed), 150, sched)),
                       search, NULL);
    start = rx_scheduler_now(sched);
    if (ui == NULL || rx_subscribe(ui, &obs, NULL) != 0) {
        fprintf(stderr, "autocomplete: %s\n", rx_last_error_message());
        return 1;
    }
    rx_observable_release(ui);
    if (virtual_time) {
        rx_virtual_run(sched);
    } else {
        uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    }
    st = rx_sim_service_get_stats(search_service);
    printf("%d keystrokes, %lld searches, %lld stale searches cancelled, "
           "%lld answers shown\n",
           (int)N, (long long)st.calls, (long long)st.cancelled,
           (long long)st.completed);

    rx_sim_service_release(search_service);
    rx_scheduler_release(sched);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    if (rx_live_objects() != 0 || uv_loop_close(uv_default_loop()) != 0) {
        fprintf(stderr, "autocomplete: resources left behind\n");
        return 1;
    }
    return 0;
}
