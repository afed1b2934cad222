/*
 * fixture.h: helpers for the store tests: a fresh temporary directory per test (real SQLite files
 * on disk, never :memory:), a settable clock, and a sample message.
 */
#ifndef QIAO_TEST_STORE_FIXTURE_H
#define QIAO_TEST_STORE_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/keccak.h"
#include "relay/store/messages.h"

/* Create /tmp/qiao-store-XXXXXX and return "<dir>/<name>" in path (caller storage). */
static inline int fixture_path(char *path, size_t cap, const char *name)
{
    char dir[] = "/tmp/qiao-store-XXXXXX";
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, cap, "%s/%s", dir, name);
    return 0;
}

/* Remove the database file, its WAL and SHM, and the directory. */
static inline void fixture_cleanup(const char *path)
{
    char p[512];
    remove(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    remove(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    remove(p);
    snprintf(p, sizeof(p), "%s", path);
    char *slash = strrchr(p, '/');
    if (slash) {
        *slash = 0;
        remove(p);
    }
}

struct fixture_clock {
    int64_t now;
};

static inline int64_t fixture_clock_fn(void *ctx)
{
    return ((struct fixture_clock *)ctx)->now;
}

/* A message whose id is derived from n (the store does not recompute ids; the pipeline does). */
static inline void fixture_msg(struct qiao_store_msg *m, uint32_t n, uint64_t src, uint64_t dst)
{
    memset(m, 0, sizeof(*m));
    m->version = 1;
    m->src_chain = src;
    m->dst_chain = dst;
    m->seq = n;
    memset(m->src_emitter, 0xe1, 20);
    memset(m->sender, 0x5e, 20);
    memset(m->receiver, 0x7e, 20);
    m->payload_len = (size_t)snprintf((char *)m->payload, 64, "{\"n\":%u}", n);
    qiao_keccak256(m->payload_hash, m->payload, m->payload_len);
    uint8_t seed[12];
    memcpy(seed, "qiao", 4);
    memcpy(seed + 4, &n, 4);
    memcpy(seed + 8, &src, 4);
    qiao_keccak256(m->id, seed, sizeof(seed));
}

#endif
