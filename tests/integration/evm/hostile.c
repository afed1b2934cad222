/* hostile.c: the hostile stand-in node (see hostile.h).  Test code only. */
#define _GNU_SOURCE /* strcasestr */
#include "hostile.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int g_listen = -1;
static pthread_t g_thread;
static hostile_answer_fn g_fn;
static void *g_user;
static volatile int g_stop;

static void serve_one(int c)
{
    char buf[65536];
    size_t n = 0;
    ssize_t got;
    char *body = NULL;
    while (n < sizeof(buf) - 1 && (got = read(c, buf + n, sizeof(buf) - 1 - n)) > 0) {
        n += (size_t)got;
        buf[n] = 0;
        char *hdr_end = strstr(buf, "\r\n\r\n"), *cl = strcasestr(buf, "content-length:");
        if (hdr_end && cl && n >= (size_t)(hdr_end + 4 - buf) + (size_t)atoi(cl + 15)) {
            body = hdr_end + 4;
            break;
        }
    }
    cJSON *req = body ? cJSON_Parse(body) : NULL;
    char *reply = req ? g_fn(g_user, req) : NULL;
    if (reply) {
        char head[256];
        int h = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n", strlen(reply));
        if (write(c, head, (size_t)h) < 0 || write(c, reply, strlen(reply)) < 0)
            perror("hostile write");
    }
    free(reply);
    cJSON_Delete(req);
    close(c);
}

static void *loop(void *arg)
{
    (void)arg;
    while (!g_stop) {
        int c = accept(g_listen, NULL, NULL);
        if (c < 0)
            break;
        serve_one(c);
    }
    return NULL;
}

int hostile_start(hostile_answer_fn fn, void *user)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    g_fn = fn, g_user = user, g_stop = 0;
    g_listen = socket(AF_INET, SOCK_STREAM, 0);
    if (g_listen < 0 || bind(g_listen, (struct sockaddr *)&a, sizeof(a)) ||
        listen(g_listen, 8) || getsockname(g_listen, (struct sockaddr *)&a, &len))
        return -1;
    if (pthread_create(&g_thread, NULL, loop, NULL))
        return -1;
    return ntohs(a.sin_port);
}

void hostile_stop(void)
{
    g_stop = 1;
    shutdown(g_listen, SHUT_RDWR);
    close(g_listen);
    pthread_join(g_thread, NULL);
}
