/*
 * devnet.h: a whole Qiao test network for integration tests: three anvil chains with the
 * contracts deployed and linked, funded notary keys and validated notary configurations (all made
 * by scripts/devnet.js, see docs/DEMO.md), plus the notary processes, started, stopped and
 * killed by index.
 *
 * Everything runs through tests/support/proc.h: `node scripts/devnet.js up|down|send|...` are
 * spawned and waited for, and notaries (`qiao run --config …`) are proc.h children, so a test's
 * atexit handler stops any it left running.  The chain nodes are detached by devnet.js (they
 * outlive `up`) and are stopped by qiao_devnet_down, which a test must call on every path; it is
 * also registered with atexit by qiao_devnet_up as a safety net.
 *
 * Ownership: struct qiao_devnet is caller storage (about 40 KiB: static or heap, not a small
 * stack) holding copies of what devnet.json says; no heap behind it.  Notary indexes are 0-based
 * positions in devnet.json's "notaries" (notary-1 is index 0).
 */
#ifndef QIAO_TEST_DEVNET_H
#define QIAO_TEST_DEVNET_H

#include <stdint.h>
#include <sys/types.h>

#include "relay/core/diag.h"

#define QIAO_DEVNET_MAX_CHAINS 4
#define QIAO_DEVNET_MAX_NOTARIES 16
#define QIAO_DEVNET_MAX_PROCS 8
#define QIAO_DEVNET_PATH_MAX 512
#define QIAO_DEVNET_URL_MAX 128

/** Options of qiao_devnet_up; zero fields take devnet.js's defaults (4 notaries, k 3, 1 s). */
struct qiao_devnet_opts {
    unsigned notaries, k;
    unsigned block_time_s;   /* anvil interval-mining period; 0 = default (1) */
    unsigned confirmations;  /* finality written into the configs; 0 = default (2) */
    int bitcoin;             /* also start bcoin regtest */
    int automine_only;       /* anvil without interval blocks (block_time ignored) */
};

struct qiao_devnet_chain {
    char name[32];
    uint64_t chain_id;
    char http[QIAO_DEVNET_URL_MAX], ws[QIAO_DEVNET_URL_MAX];
    int port;
    pid_t pid;
    uint8_t outbox[20], inbox[20], registry[20], htlc[20];
    uint64_t deploy_block, checkpoint_height;
};

struct qiao_devnet_notary {
    char name[32];
    uint8_t address[20];
    char config[QIAO_DEVNET_PATH_MAX], key_file[QIAO_DEVNET_PATH_MAX];
    char store[QIAO_DEVNET_PATH_MAX], log[QIAO_DEVNET_PATH_MAX], pid_file[QIAO_DEVNET_PATH_MAX];
    char api_url[QIAO_DEVNET_URL_MAX], mesh_url[QIAO_DEVNET_URL_MAX];
    int api_port, mesh_port;
    pid_t pid; /* the running `qiao run`, or 0 */
};

/** A process devnet.js started (chain node), as recorded in devnet.json. */
struct qiao_devnet_proc {
    char role[32];
    pid_t pid;
    char start_time[24]; /* /proc/PID/stat field 22: tells the node from a later PID reuse */
};

struct qiao_devnet {
    char dir[QIAO_DEVNET_PATH_MAX];
    char qiao[QIAO_DEVNET_PATH_MAX];
    char passphrase_env[64], passphrase_file[QIAO_DEVNET_PATH_MAX];
    unsigned k, confirmations;
    uint64_t epoch;
    uint8_t committee_id[32];
    unsigned n_chains, n_notaries, n_procs, n_lanes;
    struct qiao_devnet_chain chains[QIAO_DEVNET_MAX_CHAINS];
    struct qiao_devnet_notary notaries[QIAO_DEVNET_MAX_NOTARIES];
    struct qiao_devnet_proc procs[QIAO_DEVNET_MAX_PROCS];
    uint64_t lanes[QIAO_DEVNET_MAX_CHAINS * QIAO_DEVNET_MAX_CHAINS][2]; /* {src, dst} */
    int up; /* set by qiao_devnet_up, cleared by qiao_devnet_down */
};

/** What `devnet.js send` reports for one message. */
struct qiao_devnet_sent {
    uint8_t id[32], tx[32], payload_keccak[32], payload_sha256[32];
    uint8_t sender[20], receiver[20];
    uint64_t seq, block, src, dst;
};

/** What `devnet.js wait-delivered` reports. */
struct qiao_devnet_delivery {
    int delivered;
    uint64_t block;
    uint8_t tx[32], submitter[20];
    unsigned n_signers;
    uint8_t signers[QIAO_DEVNET_MAX_NOTARIES][20];
    int has_evidence;
    uint8_t record_sha256[32];
};

/** What `devnet.js submit` reports. */
struct qiao_devnet_submit {
    int ok;         /* 1: mined; 0: refused by the contract (eth_call reverted; nothing sent) */
    char error[64]; /* when refused: the custom error's name, e.g. "BelowThreshold" */
    uint8_t tx[32];
    uint64_t block;
};

/**
 * Bring a devnet up in dir (wiped first when it holds an older devnet, after stopping it) and load
 * its devnet.json into *net.  devnet.js's own output goes to "<dir>.log".
 * Returns: QIAO_OK; QIAO_ENOTFOUND ("no-node", "no-kit") when node or the npm kit is missing, so a
 *          caller can skip; QIAO_EIO ("devnet-up-failed") with the log path; QIAO_ETIMEOUT.
 *          On failure nothing is left running.
 */
qiao_err qiao_devnet_up(struct qiao_devnet *net, const char *dir, const struct qiao_devnet_opts *o,
                        struct qiao_diag *d);

/**
 * Parse dir/devnet.json (strict JSON, qiao_json_parse) into *net without starting anything.
 * Returns: QIAO_OK; QIAO_EIO; QIAO_EINVAL ("bad-devnet-json", with the field) and parse reasons.
 */
qiao_err qiao_devnet_load(struct qiao_devnet *net, const char *dir, struct qiao_diag *d);

/** As qiao_devnet_load, from devnet.json's text[0..len) (pure: no I/O; the fuzz target's entry). */
qiao_err qiao_devnet_parse(struct qiao_devnet *net, const char *text, size_t len,
                           struct qiao_diag *d);

/**
 * Stop every notary this module started, then `devnet.js down` (every chain node by PID).
 * Returns: QIAO_OK; QIAO_EIO ("devnet-down-failed").  Safe to call twice.
 */
qiao_err qiao_devnet_down(struct qiao_devnet *net, struct qiao_diag *d);

/** 1 when the qiao binary has a `run` command (`qiao run --help` exits 0), else 0. */
int qiao_devnet_have_daemon(const struct qiao_devnet *net);

/**
 * Start notary i: `qiao run --config <its config>` with the devnet passphrase in the environment
 * variable its config names, output appended to its log, PID written to its pid file.
 * extra_args (NULL-terminated, may be NULL) go after the config, e.g. --log-level options.
 * Returns: QIAO_OK; QIAO_EINVAL ("bad-index"); QIAO_ESTATE ("already-running"); QIAO_EIO.
 */
qiao_err qiao_devnet_notary_start(struct qiao_devnet *net, unsigned i, const char *const *extra_args,
                                  struct qiao_diag *d);

/** Stop notary i gracefully (SIGTERM, SIGKILL after 5 s).  Returns its wait status, or -1. */
int qiao_devnet_notary_stop(struct qiao_devnet *net, unsigned i);

/** Kill notary i with SIGKILL (crash tests).  Returns its wait status, or -1. */
int qiao_devnet_notary_kill9(struct qiao_devnet *net, unsigned i);

/** Wait until notary i's API port accepts connections.  0 when it does, -1 on timeout or exit. */
int qiao_devnet_notary_wait_api(struct qiao_devnet *net, unsigned i, int timeout_ms);

/**
 * Send payload[0..len) on lane src -> dst through the source Outbox (devnet.js send), to the
 * destination's EvidenceRegistry.
 * Returns: QIAO_OK; QIAO_EIO ("devnet-send-failed"); QIAO_EINVAL on a malformed report.
 * Out: *out.
 */
qiao_err qiao_devnet_send(struct qiao_devnet *net, uint64_t src, uint64_t dst, const void *payload,
                          size_t len, struct qiao_devnet_sent *out, struct qiao_diag *d);

/**
 * Poll chain dst's Inbox until message id is consumed or timeout_s passes (devnet.js
 * wait-delivered).  Not delivered in time is QIAO_OK with out->delivered = 0.
 * Returns: QIAO_OK; QIAO_EIO; QIAO_EINVAL.  Out: *out.
 */
qiao_err qiao_devnet_wait_delivered(struct qiao_devnet *net, uint64_t dst, const uint8_t id[32],
                                    unsigned timeout_s, struct qiao_devnet_delivery *out,
                                    struct qiao_diag *d);

/**
 * Send hand-made calldata to chain's Inbox from dev account 2 (devnet.js submit): for tests that
 * forge or replay certificates, or certify messages themselves while no relay runs.
 * Returns: QIAO_OK (refusals included: see out->ok); QIAO_EIO; QIAO_EINVAL.  Out: *out.
 */
qiao_err qiao_devnet_submit(struct qiao_devnet *net, uint64_t chain, const uint8_t *calldata,
                            size_t len, struct qiao_devnet_submit *out, struct qiao_diag *d);

/** 1 while recorded process p is alive (exists, not a zombie, same start time), else 0. */
int qiao_devnet_proc_alive(const struct qiao_devnet_proc *p);

/** The chain with this id, or NULL. */
const struct qiao_devnet_chain *qiao_devnet_chain(const struct qiao_devnet *net, uint64_t id);

#endif
