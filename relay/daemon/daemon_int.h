/*
 * daemon_int.h: the daemon's one server object and the functions its files share.  Everything
 * here runs on the service thread.
 */
#ifndef QIAO_DAEMON_INT_H
#define QIAO_DAEMON_INT_H

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdint.h>

#include "relay/api/metrics.h"
#include "relay/config/config.h"
#include "relay/core/crypto.h"
#include "relay/daemon/dmn_queue.h"
#include "relay/daemon/dmn_worker.h"
#include "relay/keys/keys.h"
#include "relay/notary/attest.h"
#include "relay/store/attest.h"
#include "relay/store/messages.h"

struct qiao_api;
struct qiao_mesh;
struct qiao_dmn_export;
struct qiao_dmn_swaps;

#define QIAO_DMN_CRON_MS 50       /* the loop's timer */
#define QIAO_DMN_SCAN_MS 500      /* retries and submission rotation are looked at this often */
#define QIAO_DMN_MAX_PEER_ATTS 65536

/** What the service thread knows of one chain (from its worker's HEAD events). */
struct qiao_dmn_chain_view {
    uint64_t tip, final_height, node_head, reorgs, headers;
    int has_final, rpc_ok, seen;
    char error[256];
    int64_t updated_at;
};

struct qiao_dmn_ids {
    uint8_t (*v)[32];
    size_t n, cap;
};

struct qiao_dmn_peer_att {
    uint8_t peer[20];
    uint8_t id[32];
    uint64_t epoch;
    uint8_t sig[65];
};

struct qiao_daemon {
    struct qiao_config *cfg;
    struct qiao_key key;
    struct qiao_crypto *cx;
    struct qiao_store *store;
    struct lws_context *lws;
    struct qiao_api *api;
    struct qiao_mesh *mesh;
    lws_sorted_usec_list_t cron;
    volatile sig_atomic_t *stop;
    struct qiao_dmn_queue events;
    struct qiao_dmn_item *retry_events; /* a tick that failed to commit replays these */
    struct qiao_dmn_worker *workers[QIAO_CFG_MAX_CHAINS];
    struct qiao_dmn_chain_view views[QIAO_CFG_MAX_CHAINS];
    uint8_t members[QIAO_CFG_MAX_MEMBERS][20]; /* sorted ascending */
    struct qiao_committee committee;
    unsigned self_index;
    char self_label[43];
    struct qiao_metrics metrics;
    struct qiao_dmn_ids to_sign, to_certify;
    struct qiao_dmn_peer_att *patts;
    size_t npatt, cappatt;
    uint64_t alerts;
    char last_alert[320];
    int64_t last_scan_ms, started_ms;
    struct qiao_dmn_inclusion *incl; /* ring of QIAO_DMN_INCLUSIONS source inclusion times */
    size_t nincl;                    /* entries ever added (the next slot is nincl % size) */
    struct qiao_dmn_export *exporter; /* evidence.export's job (dmn_evidence.c); NULL until used */
    struct qiao_dmn_swaps *swaps; /* the HTLC swap driver (dmn_swap.h) */
};

/*
 * When a message's source block was mined (its timestamp), kept in memory for the latency
 * metric, which runs from source inclusion to delivery.  A message observed before a restart has
 * no entry and is measured from its stored observation time instead.
 */
#define QIAO_DMN_INCLUSIONS 4096
struct qiao_dmn_inclusion {
    uint8_t id[32];
    int64_t at_ms;
};

/** Work collected during a tick and acted on only after it commits. */
struct qiao_dmn_tick {
    cJSON *published;             /* message events for subscribers */
    struct qiao_dmn_item *jobs;   /* for workers (item->chain picks the worker) */
    struct qiao_dmn_att_out {
        uint8_t id[32];
        uint8_t sig[65];
    } *gossip;
    size_t ngossip, capgossip;
    uint64_t delivered, failed;
    double latency[1024]; /* one per delivery seen this tick (a burst can exceed 64) */
    size_t nlatency;
};

int64_t qiao_dmn_now(void);
qiao_err qiao_dmn_ids_add(struct qiao_dmn_ids *l, const uint8_t id[32]);
void qiao_dmn_ids_clear(struct qiao_dmn_ids *l);

/** Index of the chain in cfg->chains, or -1. */
int qiao_dmn_chain_index(const struct qiao_daemon *dm, uint64_t id);
/** The worker of chain id, or NULL. */
struct qiao_dmn_worker *qiao_dmn_worker_of(struct qiao_daemon *dm, uint64_t id);

/** Record a transition for subscribers (after commit). */
void qiao_dmn_publish(struct qiao_dmn_tick *t, const uint8_t id[32], const char *state,
                      const char *note);
/** Queue a job for after the commit. */
void qiao_dmn_tick_job(struct qiao_dmn_tick *t, struct qiao_dmn_item *job);

/** The pipeline's timer (dmn_pipeline.c). */
void qiao_dmn_cron(lws_sorted_usec_list_t *sul);
/** Rebuild the in-memory work lists from the store at start-up (dmn_pipeline.c). */
qiao_err qiao_dmn_recover(struct qiao_daemon *dm, struct qiao_diag *d);

/** Apply one worker event inside the tick (dmn_events.c). */
void qiao_dmn_apply_event(struct qiao_daemon *dm, struct qiao_dmn_tick *t,
                          const struct qiao_dmn_item *ev);

/** Peer attestations and certificates inside the tick (dmn_certify.c). */
void qiao_dmn_take_peer_atts(struct qiao_daemon *dm, struct qiao_dmn_tick *t);
void qiao_dmn_certify_all(struct qiao_daemon *dm, struct qiao_dmn_tick *t);

/** Mesh event handlers (dmn_peers.c). */
qiao_err qiao_dmn_mesh_start(struct qiao_daemon *dm, struct qiao_diag *d);
/** Ask peer (NULL: all) for attestations of every message we have not certified yet. */
void qiao_dmn_send_wants(struct qiao_daemon *dm, const uint8_t *peer);

/** API handlers (dmn_api.c, dmn_page.c). */
qiao_err qiao_dmn_api_start(struct qiao_daemon *dm, struct qiao_diag *d);
/**
 * The 32-byte id an API method takes as params[0] or params.id ("missing-field", hex reasons).
 * `what` names the kind of id in the error ("message", "swap").
 */
qiao_err qiao_dmn_id_param(uint8_t id[32], const cJSON *params, const char *method,
                           const char *what, struct qiao_diag *d);
qiao_err qiao_dmn_metrics(void *user, struct qiao_buf *out, struct qiao_diag *d);
qiao_err qiao_dmn_status_html(void *user, struct qiao_buf *out, struct qiao_diag *d);
/** evidence.* API methods (dmn_evidence.c); stop joins a running export. */
qiao_err qiao_dmn_evidence_call(struct qiao_daemon *dm, const char *method, const cJSON *params,
                                cJSON **result, struct qiao_diag *d);
void qiao_dmn_evidence_stop(struct qiao_daemon *dm);
/** The `status` result (shared by the API and the page). */
cJSON *qiao_dmn_status_json(struct qiao_daemon *dm);

#endif
