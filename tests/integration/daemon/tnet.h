/*
 * tnet.h: a test network for the daemon's integration tests: real anvil chains (7001, 7002) with
 * the Outbox / Inbox / EvidenceRegistry deployed by adapters/evm/contracts/deploy.js, and real
 * `qiao run` notary processes, each with its own key file, config and SQLite store, started and
 * stopped by PID (tests/support/proc.h).
 *
 * Messages are sent through the real Outbox from an anvil development account; delivery is read
 * back from the real Inbox (consumed(id), MessageDelivered logs).  Nothing is mocked.
 */
#ifndef QIAO_TEST_TNET_H
#define QIAO_TEST_TNET_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <sys/types.h>

#define TNET_CHAINS 2
#define TNET_MAX_NOTARIES 4

struct qiao_rpc;
struct lws_context;

struct tnet_chain {
    uint64_t id;
    int port;
    pid_t pid;
    char url[64];
    uint8_t outbox[20], inbox[20], registry[20];
    struct qiao_rpc *rpc;
    uint64_t next_seq[TNET_CHAINS]; /* per destination lane */
};

struct tnet_notary {
    uint8_t seckey[32], addr[20];
    int api_port, mesh_port;
    pid_t pid;
    char cfg[512], log[512], store[512];
    char chain_url[TNET_CHAINS][64]; /* "" : the chain's own URL (set, then tnet_write_config) */
};

struct tnet {
    struct lws_context *lws;
    struct tnet_chain chains[TNET_CHAINS];
    struct tnet_notary notaries[TNET_MAX_NOTARIES];
    unsigned n, k, confirmations;
    uint32_t takeover_ms;
    char dir[256];
    uint8_t committee[32];
    uint8_t sender[20]; /* the anvil development account that calls Outbox.send */
};

/** Start the chains, deploy, write keys and configs (notaries are not started).  0 on success. */
int tnet_start(struct tnet *t, unsigned n, unsigned k, unsigned confirmations,
               uint32_t takeover_ms);
/** Stop everything started (notaries, anvils) and remove the directory. */
void tnet_stop(struct tnet *t);

/** (Re)write notary i's config (after changing its chain_url).  0 on success. */
int tnet_write_config(struct tnet *t, unsigned i);
/** Start notary i with QIAO_TEST_CRASH_AT=crash_at in its environment (NULL: none).  0 on success. */
int tnet_notary_start_env(struct tnet *t, unsigned i, const char *crash_at);
/** Start notary i (`qiao run`) and wait for its API port.  0 on success. */
int tnet_notary_start(struct tnet *t, unsigned i);
/** SIGTERM notary i and wait. */
void tnet_notary_stop(struct tnet *t, unsigned i);
/** SIGKILL notary i (crash). */
void tnet_notary_kill9(struct tnet *t, unsigned i);

/** Send payload from chain src to chain dst through the Outbox.  Out: id.  0 on success. */
int tnet_send(struct tnet *t, unsigned src, unsigned dst, const char *payload, uint8_t id[32]);
/** 1 when the destination Inbox has consumed id. */
int tnet_consumed(struct tnet *t, unsigned dst, const uint8_t id[32]);
/** Mine one block on every chain (the chains are automine: blocks come only with traffic). */
void tnet_mine(struct tnet *t);
/** Wait until every id is consumed on dst, mining a block on each chain per poll; 0 when all are, -1 on timeout. */
int tnet_wait_consumed(struct tnet *t, unsigned dst, const uint8_t (*ids)[32], size_t n,
                       unsigned timeout_ms);
/**
 * MessageDelivered logs on dst's Inbox.  Out: *total, *distinct (distinct ids).  0 on success.
 */
int tnet_delivered_logs(struct tnet *t, unsigned dst, size_t *total, size_t *distinct);

/** Call a JSON-RPC method on chain c (params taken).  Result (caller frees) or NULL. */
cJSON *tnet_chain_call(struct tnet *t, unsigned c, const char *method, cJSON *params);
/** Call notary i's API (params taken).  Result (caller frees) or NULL. */
cJSON *tnet_api(struct tnet *t, unsigned i, const char *method, cJSON *params);
/** State name of id at notary i ("" when unknown); buf has room for 16. */
const char *tnet_msg_state(struct tnet *t, unsigned i, const uint8_t id[32], char buf[16]);
/** Sleep ms milliseconds. */
void tnet_sleep(unsigned ms);

#endif
