/* SPDX-License-Identifier: MIT */
/*
 * Small helpers the I/O sources and sinks share: binding a pipeline to
 * its loop, reading the bytes of an item, and naming addresses and
 * streams in error messages.
 */
#include <stdio.h>

#include "io-internal.h"

int
rx__io_bind(rx__pipeline *pipe, uv_loop_t *loop)
{
    rx_scheduler *s = rx_scheduler_loop(loop);

    if (s == NULL) {
        return rx_last_error();
    }
    rx__pipeline_bind(pipe, s); /* retains what it keeps */
    rx_scheduler_release(s);
    return 0;
}

bool
rx__io_item_bytes(rx_value v, const char **data, size_t *len)
{
    if (rx_is_str(v)) {
        *data = rx_str_cstr(v);
        *len = rx_str_len(v);
        return true;
    }
    if (rx_is_bytes(v)) {
        *data = rx_bytes_data(v);
        *len = rx_bytes_len(v);
        return true;
    }
    return false;
}

void
rx__io_addr_text(const struct sockaddr *sa, char *buf, size_t size)
{
    char ip[INET6_ADDRSTRLEN] = "?";

    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        uv_ip4_name(in, ip, sizeof ip);
        snprintf(buf, size, "%s:%u", ip, (unsigned)ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        uv_ip6_name(in6, ip, sizeof ip);
        snprintf(buf, size, "[%s]:%u", ip, (unsigned)ntohs(in6->sin6_port));
    } else {
        snprintf(buf, size, "address family %d", (int)sa->sa_family);
    }
}

void
rx__io_stream_text(const uv_stream_t *s, char *buf, size_t size)
{
    struct sockaddr_storage ss;
    int len = (int)sizeof ss;

    switch (s->type) {
    case UV_TCP:
        if (uv_tcp_getpeername((const uv_tcp_t *)s, (struct sockaddr *)&ss,
                               &len) == 0) {
            rx__io_addr_text((const struct sockaddr *)&ss, buf, size);
        } else {
            snprintf(buf, size, "tcp socket");
        }
        break;
    case UV_NAMED_PIPE:
        snprintf(buf, size, "pipe");
        break;
    case UV_TTY:
        snprintf(buf, size, "tty");
        break;
    default:
        snprintf(buf, size, "stream");
        break;
    }
}
