/*
 * test_devnet.c: the devnet tooling end to end on real anvil nodes, without notaries:
 * tests/support/devnet.h drives `node scripts/devnet.js up`, `send`, `wait-delivered` and `down`.
 *
 * Checked: the topology devnet.json describes (chain ids, contracts, live ports, distinct ports);
 * every generated notary configuration passes the real parser (qiao_config_load) and agrees with
 * devnet.json; every key file is mode 0600 and opens with the real loader (qiao_keys_load) under
 * the devnet passphrase to the configured address; messages get per-lane sequence numbers and the
 * id the script reports equals the one computed here by relay/notary (qiao_msg_id) from the
 * reported fields and our own Keccak of the payload; with no notary running nothing is delivered;
 * a certificate made from the devnet's key files is judged by the deployed Inbox (certify.c: the
 * committee is emulated in-process because `qiao run` is not built here); and after `down` every
 * recorded process is gone and its port closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relay/config/config.h"
#include "relay/core/crypto.h"
#include "relay/core/keccak.h"
#include "relay/keys/keys.h"
#include "relay/notary/attest.h"
#include "tests/integration/devnet/certify.h"
#include "tests/qt.h"
#include "tests/support/devnet.h"
#include "tests/support/proc.h"

static struct qiao_devnet net;
static struct qiao_config cfg;

static const uint8_t zero20[20];

static void check_chains(void)
{
    static const struct { uint64_t id; const char *name; } want[] = {
        {7001, "judicial"}, {7002, "trade"}, {7003, "traceability"}};
    QT_CHECKF(net.n_chains == 3, "3 chains, got %u", net.n_chains);
    for (size_t i = 0; i < 3; i++) {
        const struct qiao_devnet_chain *c = qiao_devnet_chain(&net, want[i].id);
        QT_CHECKF(c && strcmp(c->name, want[i].name) == 0, "chain %llu is %s",
                  (unsigned long long)want[i].id, want[i].name);
        if (!c)
            continue;
        QT_CHECK(memcmp(c->outbox, zero20, 20) && memcmp(c->inbox, zero20, 20));
        QT_CHECK(memcmp(c->registry, zero20, 20) && memcmp(c->htlc, zero20, 20));
        QT_CHECKF(c->checkpoint_height >= c->deploy_block, "%s checkpoint after deployment", c->name);
        QT_CHECKF(qiao_proc_wait_port(c->port, 2000, 0) == 0, "%s answers on port %d", c->name,
                  c->port);
    }
    QT_CHECKF(net.n_procs == 3, "3 recorded processes, got %u", net.n_procs);
    for (unsigned i = 0; i < net.n_procs; i++)
        QT_CHECKF(qiao_devnet_proc_alive(&net.procs[i]), "%s (pid %d) alive", net.procs[i].role,
                  (int)net.procs[i].pid);
}

static int has_lane(uint64_t src, uint64_t dst)
{
    for (unsigned i = 0; i < cfg.n_lanes; i++)
        if (cfg.lanes[i].src == src && cfg.lanes[i].dst == dst)
            return 1;
    return 0;
}

static void check_config_chains(void)
{
    for (unsigned c = 0; c < cfg.n_chains; c++) {
        const struct qiao_devnet_chain *dc = qiao_devnet_chain(&net, cfg.chains[c].id);
        QT_CHECKF(dc != NULL, "config chain %llu is in devnet.json",
                  (unsigned long long)cfg.chains[c].id);
        if (!dc)
            continue;
        QT_CHECK(cfg.chains[c].finality == QIAO_CFG_FINALITY_CONFIRMATIONS &&
                 cfg.chains[c].confirmations == net.confirmations);
        QT_CHECK(cfg.chains[c].has_outbox && memcmp(cfg.chains[c].outbox, dc->outbox, 20) == 0);
        QT_CHECK(cfg.chains[c].has_inbox && memcmp(cfg.chains[c].inbox, dc->inbox, 20) == 0);
        QT_CHECK(strcmp(cfg.chains[c].http[0], dc->http) == 0);
        QT_CHECK(cfg.chains[c].has_checkpoint &&
                 cfg.chains[c].checkpoint_height == dc->checkpoint_height);
    }
}

static void check_key(const struct qiao_devnet_notary *n)
{
    struct stat st;
    QT_CHECKF(stat(n->key_file, &st) == 0 && (st.st_mode & 0777) == 0600, "%s key mode 0600",
              n->name);
    char pass[QIAO_KEYS_PASSPHRASE_MAX];
    size_t pass_len = 0;
    struct qiao_diag d = {0};
    struct qiao_key key;
    qiao_err err = qiao_keys_passphrase(pass, sizeof(pass), &pass_len, net.passphrase_env,
                                        net.passphrase_file[0] ? net.passphrase_file : NULL, &d);
    if (!err)
        err = qiao_keys_load(&key, n->key_file, pass, pass_len, 0, &d);
    QT_CHECKF(err == QIAO_OK, "%s key loads: %s", n->name, d.msg);
    if (!err)
        QT_CHECK_MEM(key.address, n->address, 20);
    qiao_key_clear(&key);
    memset(pass, 0, sizeof(pass));
}

static void check_notary(unsigned i)
{
    const struct qiao_devnet_notary *n = &net.notaries[i];
    struct qiao_diag d = {0};
    qiao_err err = qiao_config_load(&cfg, n->config, &d);
    QT_CHECKF(err == QIAO_OK, "%s validates: %s [%s]", n->config, d.msg, d.reason);
    if (err)
        return;
    QT_CHECK_MEM(cfg.notary.address, n->address, 20);
    QT_CHECK(strcmp(cfg.notary.key_file, n->key_file) == 0);
    QT_CHECK(strcmp(cfg.notary.passphrase_env, net.passphrase_env) == 0);
    QT_CHECKF(cfg.committee.n == net.n_notaries && cfg.committee.k == net.k, "k=%u of n=%u",
              cfg.committee.k, cfg.committee.n);
    QT_CHECK_MEM(cfg.committee.id, net.committee_id, 32);
    QT_CHECK(cfg.committee.epoch == net.epoch);
    for (unsigned j = 0; j < net.n_notaries; j++)
        QT_CHECKF(qiao_config_member_index(&cfg, net.notaries[j].address) >= 0,
                  "notary %u is a member in %s's config", j, n->name);
    QT_CHECK(has_lane(7003, 7001) && has_lane(7002, 7001));
    QT_CHECKF(cfg.n_peers == net.n_notaries - 1, "%u peers", cfg.n_peers);
    for (unsigned p = 0; p < cfg.n_peers; p++)
        QT_CHECK(memcmp(cfg.peers[p].address, n->address, 20) != 0);
    QT_CHECK(strcmp(cfg.store_path, n->store) == 0);
    QT_CHECK(cfg.api.port == n->api_port && cfg.mesh.port == n->mesh_port);
    QT_CHECK(strcmp(cfg.api.host, "127.0.0.1") == 0 && strcmp(cfg.mesh.host, "127.0.0.1") == 0);
    check_config_chains();
    check_key(n);
}

/* Every chain, API and mesh port differs from every other. */
static void check_ports_distinct(void)
{
    int ports[QIAO_DEVNET_MAX_CHAINS + 2 * QIAO_DEVNET_MAX_NOTARIES], n = 0, dup = 0;
    for (unsigned i = 0; i < net.n_chains; i++)
        ports[n++] = net.chains[i].port;
    for (unsigned i = 0; i < net.n_notaries; i++) {
        ports[n++] = net.notaries[i].api_port;
        ports[n++] = net.notaries[i].mesh_port;
    }
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            dup |= ports[i] == ports[j];
    QT_CHECKF(!dup, "%d ports, all distinct", n);
}

/* Send one payload and check the report against our own computation of the id. */
static void send_one(uint64_t src, uint64_t dst, const char *payload, uint64_t want_seq,
                     struct qiao_devnet_sent *s)
{
    struct qiao_diag d = {0};
    size_t len = strlen(payload);
    qiao_err err = qiao_devnet_send(&net, src, dst, payload, len, s, &d);
    QT_CHECKF(err == QIAO_OK, "send %llu->%llu: %s", (unsigned long long)src,
              (unsigned long long)dst, d.msg);
    if (err)
        return;
    QT_CHECKF(s->seq == want_seq, "seq %llu, want %llu", (unsigned long long)s->seq,
              (unsigned long long)want_seq);
    const struct qiao_devnet_chain *sc = qiao_devnet_chain(&net, src);
    const struct qiao_devnet_chain *dc = qiao_devnet_chain(&net, dst);
    struct qiao_message m = {.version = QIAO_MSG_VERSION, .src_chain_id = src, .seq = s->seq,
                             .dst_chain_id = dst};
    memcpy(m.src_emitter, sc->outbox, 20);
    memcpy(m.sender, s->sender, 20);
    memcpy(m.receiver, s->receiver, 20);
    qiao_keccak256(m.payload_hash, payload, len);
    QT_CHECK_MEM(m.payload_hash, s->payload_keccak, 32);
    QT_CHECK_MEM(s->receiver, dc->registry, 20);
    uint8_t id[32], sha[32];
    qiao_msg_id(id, &m);
    QT_CHECK_MEM(id, s->id, 32);
    struct qiao_crypto *cx = qiao_crypto_create();
    qiao_sha256(cx, sha, payload, len);
    qiao_crypto_destroy(cx);
    QT_CHECK_MEM(sha, s->payload_sha256, 32);
    QT_CHECK(s->block > sc->checkpoint_height);
}

static void check_messages(void)
{
    static const char first[] = "{\"batch\":\"CC-1\",\"temp_max_c\":-18.2}";
    struct qiao_devnet_sent a, b, c;
    send_one(7003, 7001, first, 1, &a);
    send_one(7003, 7001, "{\"batch\":\"CC-2\",\"temp_max_c\":-17.9}", 2, &b);
    send_one(7002, 7001, "{\"doc\":\"invoice\",\"sha256\":\"00\"}", 1, &c);
    QT_CHECK(memcmp(a.id, b.id, 32) != 0 && memcmp(a.id, c.id, 32) != 0);
    /* No notary runs: the Inbox has consumed nothing, and the wait says so after its timeout. */
    struct qiao_devnet_delivery dl;
    struct qiao_diag d = {0};
    qiao_err err = qiao_devnet_wait_delivered(&net, 7001, a.id, 1, &dl, &d);
    QT_CHECKF(err == QIAO_OK && !dl.delivered, "not delivered without notaries: %s", d.msg);
    err = qiao_config_load(&cfg, net.notaries[0].config, &d);
    QT_CHECKF(err == QIAO_OK, "config: %s", d.msg);
    if (!err)
        devnet_test_certified_delivery(&net, &cfg, &a, first);
}

/*
 * Notary processes by index.  With a daemon: start, API up, kill -9, restart, graceful stop.
 * Without one, `qiao run` exits at once with a usage error, which exercises the same process
 * plumbing: the exit is noticed, reaped, reported, and a restart is allowed.
 */
static void check_notary_processes(void)
{
    struct qiao_diag d = {0};
    int daemon = qiao_devnet_have_daemon(&net);
    qiao_err err = qiao_devnet_notary_start(&net, 0, NULL, &d);
    QT_CHECKF(err == QIAO_OK && net.notaries[0].pid > 0, "notary 0 starts: %s", d.msg);
    QT_CHECK(qiao_devnet_notary_start(&net, 99, NULL, &d) == QIAO_EINVAL);
    if (!daemon) {
        qt_skip("notary daemon", "build/qiao has no `run` command yet; checking process plumbing");
        QT_CHECK(access(net.notaries[0].pid_file, F_OK) == 0);
        QT_CHECK(qiao_devnet_notary_wait_api(&net, 0, 10000) != 0);
        QT_CHECKF(net.notaries[0].pid == 0 && access(net.notaries[0].pid_file, F_OK) != 0,
                  "the exit is noticed and the pid file removed");
        err = qiao_devnet_notary_start(&net, 0, NULL, &d);
        QT_CHECKF(err == QIAO_OK, "restart after exit: %s", d.msg);
        QT_CHECK(qiao_devnet_notary_wait_api(&net, 0, 10000) != 0 && net.notaries[0].pid == 0);
        QT_CHECK(qiao_devnet_notary_stop(&net, 0) == -1); /* nothing left to stop */
        return;
    }
    QT_CHECK(qiao_devnet_notary_start(&net, 0, NULL, &d) == QIAO_ESTATE);
    QT_CHECKF(qiao_devnet_notary_wait_api(&net, 0, 30000) == 0, "notary 0 API on port %d",
              net.notaries[0].api_port);
    int status = qiao_devnet_notary_kill9(&net, 0);
    QT_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    err = qiao_devnet_notary_start(&net, 0, NULL, &d);
    QT_CHECKF(err == QIAO_OK && qiao_devnet_notary_wait_api(&net, 0, 30000) == 0,
              "notary 0 restarts after kill -9: %s", d.msg);
    QT_CHECK(qiao_devnet_notary_stop(&net, 0) >= 0 && net.notaries[0].pid == 0);
}

static void check_down(void)
{
    struct qiao_diag d = {0};
    qiao_err err = qiao_devnet_down(&net, &d);
    QT_CHECKF(err == QIAO_OK, "down: %s", d.msg);
    for (unsigned i = 0; i < net.n_procs; i++)
        QT_CHECKF(!qiao_devnet_proc_alive(&net.procs[i]), "%s (pid %d) gone after down",
                  net.procs[i].role, (int)net.procs[i].pid);
    for (unsigned i = 0; i < net.n_chains; i++)
        QT_CHECKF(qiao_proc_wait_port(net.chains[i].port, 0, 0) != 0, "port %d closed",
                  net.chains[i].port);
    err = qiao_devnet_down(&net, &d);
    QT_CHECKF(err == QIAO_OK, "a second down is harmless: %s", d.msg);
}

int main(void)
{
    struct qiao_diag d = {0};
    const char *dir = QIAO_BINARY_DIR "/tests/integration/devnet/net";
    struct qiao_devnet_opts o = {.notaries = 4, .k = 3};
    qiao_err err = qiao_devnet_up(&net, dir, &o, &d);
    if (err == QIAO_ENOTFOUND) {
        qt_skip("devnet", d.msg);
        return qt_finish();
    }
    QT_CHECKF(err == QIAO_OK, "devnet up: %s", d.msg);
    if (err)
        return qt_finish();
    check_chains();
    QT_CHECKF(net.n_notaries == 4 && net.k == 3, "4 notaries, k=3");
    for (unsigned i = 0; i < net.n_notaries; i++)
        check_notary(i);
    check_ports_distinct();
    check_messages();
    check_notary_processes();
    check_down();
    QT_CHECK(qiao_devnet_load(&net, "/nonexistent-devnet-dir", &d) != QIAO_OK);
    return qt_finish();
}
