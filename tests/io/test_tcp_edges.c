/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of rx_tcp_server (slice 4 coverage): a server on the IPv6
 * loopback address reports its bound IPv6 address and port and emits a
 * connection from an IPv6 client.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io_test.h"

struct v6 {
    int family;
    int port;
    char host[64];
};

static void
on_listening6(const struct sockaddr *addr, void *ctx)
{
    struct v6 *l = ctx;
    const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)addr;

    l->family = addr->sa_family;
    if (addr->sa_family == AF_INET6) {
        l->port = ntohs(a6->sin6_port);
        assert_int_equal(uv_ip6_name(a6, l->host, sizeof l->host), 0);
    }
}

static void
on_connect(uv_connect_t *req, int status)
{
    int *st = req->data;

    *st = status;
}

/* Whether this machine can bind the IPv6 loopback (containers may run
 * without IPv6): the test is skipped, not failed, when it cannot. */
static bool
ipv6_loopback_available(void)
{
    struct sockaddr_in6 a;
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    bool ok;

    if (fd < 0) {
        return false;
    }
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    ok = bind(fd, (const struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static void
test_tcp_server_listens_and_accepts_on_ipv6(void **state)
{
    if (!ipv6_loopback_available()) {
        skip();
    }
    uv_loop_t *loop = io_loop_new();
    struct sockaddr_in6 addr;
    struct sockaddr_in6 to;
    struct v6 l = {0};
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o;
    uv_tcp_t client;
    uv_connect_t req;
    int status = 1;

    (void)state;
    assert_int_equal(uv_ip6_addr("::1", 0, &addr), 0);
    o = rx_tcp_server_opts(
        loop, &(rx_tcp_server_config){.addr = (const struct sockaddr *)&addr,
                                      .on_listening = on_listening6,
                                      .ctx = &l});
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(l.family, AF_INET6);
    assert_string_equal(l.host, "::1");
    assert_true(l.port > 0);
    assert_int_equal(uv_ip6_addr("::1", l.port, &to), 0);
    assert_int_equal(uv_tcp_init(loop, &client), 0);
    req.data = &status;
    assert_int_equal(
        uv_tcp_connect(&req, &client, (const struct sockaddr *)&to, on_connect),
        0);
    for (int i = 0; i < 100000 && (status == 1 || rx_test_count(t) == 0); i++) {
        uv_run(loop, UV_RUN_ONCE);
    }
    assert_int_equal(status, 0);
    assert_int_equal(rx_test_count(t), 1);
    assert_non_null(rx_tcp_connection_stream(rx_test_value(t, 0)));
    assert_rx_no_terminal(t);
    rx_test_cancel(t);
    rx_test_observer_free(t);
    uv_close((uv_handle_t *)&client, NULL);
    io_loop_end(loop);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_tcp_server_listens_and_accepts_on_ipv6),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
