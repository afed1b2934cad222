/*
 * devnet.c: the processes of a test devnet (devnet.h): `node scripts/devnet.js …` runs and the
 * notary daemons, all through tests/support/proc.h.
 *
 * A script run is spawned with qiao_proc_spawn and waited for with waitid(WNOWAIT), which sees
 * the exit without reaping; qiao_proc_stop then reaps it and drops it from proc.c's list.  Reaping
 * ourselves with waitpid would leave a stale PID in that list for its atexit handler to signal
 * after the number had perhaps been reused.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relay/core/hex.h"
#include "tests/support/devnet.h"
#include "tests/support/devnet_int.h"
#include "tests/support/proc.h"

#define SCRIPT_ARGS_MAX 32
#define UP_TIMEOUT_MS 240000
#define CMD_TIMEOUT_MS 120000

/* The node binary on $PATH, or NULL.  Static buffer. */
static const char *find_node(void)
{
    static char path[1024];
    const char *p = getenv("PATH");
    while (p && *p) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0 && n < sizeof(path) - 8) {
            snprintf(path, sizeof(path), "%.*s/node", (int)n, p);
            if (access(path, X_OK) == 0)
                return path;
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

/* Wait for pid to exit without reaping; 0 when it did, -1 after timeout_ms. */
static int wait_exit_nowait(pid_t pid, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        siginfo_t si;
        memset(&si, 0, sizeof(si));
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
            return 0;
        usleep(50000);
    }
    return -1;
}

enum child_state { CHILD_RUNNING, CHILD_EXITED, CHILD_GONE };

/* A child we spawned: still running, exited but not reaped, or already reaped (proc.c's
 * qiao_proc_wait_port reaps a child that exits while it waits). */
static enum child_state child_state(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
        return CHILD_GONE;
    return si.si_pid == pid ? CHILD_EXITED : CHILD_RUNNING;
}

/* Run argv to completion (log appended to log_path); *code is its exit status (128+signal). */
static qiao_err run_argv(char *const argv[], const char *log_path, int timeout_ms, int *code,
                         struct qiao_diag *d)
{
    pid_t pid = qiao_proc_spawn(argv, log_path);
    if (pid < 0)
        return QIAO_FAIL(d, QIAO_EIO, "spawn-failed", "cannot start %s", argv[0]);
    int timed_out = wait_exit_nowait(pid, timeout_ms) != 0;
    int status = qiao_proc_stop(pid); /* reaps; kills first when it timed out */
    if (timed_out)
        return QIAO_FAIL(d, QIAO_ETIMEOUT, "timeout", "%s %s did not finish within %d ms (log %s)",
                         argv[0], argv[1] ? argv[1] : "", timeout_ms, log_path);
    *code = status < 0 ? 255 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return QIAO_OK;
}

/* The last non-empty line of a log file, for error messages. */
static void log_tail(char *out, size_t cap, const char *path)
{
    size_t len = 0;
    out[0] = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char buf[2048];
    off_t size = lseek(fd, 0, SEEK_END);
    off_t from = size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0;
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, from);
    close(fd);
    if (n <= 0)
        return;
    len = (size_t)n;
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        len--;
    buf[len] = 0;
    const char *line = strrchr(buf, '\n');
    line = line ? line + 1 : buf;
    size_t keep = strlen(line) < cap - 1 ? strlen(line) : cap - 1;
    memcpy(out, line, keep);
    out[keep] = 0;
}

/* `node scripts/devnet.js <args…>`, output to log_path; *code is the exit status. */
static qiao_err run_script(const char *const *args, const char *log_path, int timeout_ms, int *code,
                           struct qiao_diag *d)
{
    const char *node = find_node();
    if (!node)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-node", "node is not on $PATH");
    char *argv[SCRIPT_ARGS_MAX + 3];
    size_t n = 0;
    argv[n++] = (char *)node;
    argv[n++] = (char *)QIAO_SOURCE_DIR "/scripts/devnet.js";
    for (; args[n - 2] && n < SCRIPT_ARGS_MAX + 2; n++)
        argv[n] = (char *)args[n - 2];
    argv[n] = NULL;
    return run_argv(argv, log_path, timeout_ms, code, d);
}

static struct qiao_devnet *atexit_net;

static void down_at_exit(void)
{
    if (atexit_net && atexit_net->up) {
        fprintf(stderr, "devnet: taking %s down at exit\n", atexit_net->dir);
        qiao_devnet_down(atexit_net, NULL);
    }
}

static qiao_err up_failed(const char *log_path, int code, struct qiao_diag *d)
{
    char tail[200];
    log_tail(tail, sizeof(tail), log_path);
    return QIAO_FAIL(d, QIAO_EIO, "devnet-up-failed", "devnet.js up exited %d: %s (log %s)", code,
                     tail, log_path);
}

qiao_err qiao_devnet_up(struct qiao_devnet *net, const char *dir, const struct qiao_devnet_opts *o,
                        struct qiao_diag *d)
{
    static const struct qiao_devnet_opts defaults = {0};
    char log_path[QIAO_DEVNET_PATH_MAX + 8], nn[16], kk[16], bt[16], cf[16];
    const char *args[SCRIPT_ARGS_MAX] = {"up", "--dir", dir, "--fresh",
                                         "--qiao", QIAO_BINARY_DIR "/qiao"};
    size_t n = 6;
    if (!o)
        o = &defaults;
    if (!qiao_proc_kit_bin("anvil"))
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-kit", "the pinned npm kit (anvil) is not installed");
    snprintf(log_path, sizeof(log_path), "%s.log", dir);
    snprintf(nn, sizeof(nn), "%u", o->notaries ? o->notaries : 4);
    snprintf(kk, sizeof(kk), "%u", o->k ? o->k : 3);
    snprintf(bt, sizeof(bt), "%u", o->automine_only ? 0 : o->block_time_s ? o->block_time_s : 1);
    snprintf(cf, sizeof(cf), "%u", o->confirmations ? o->confirmations : 2);
    const char *more[] = {"--notaries", nn, "--k", kk, "--block-time", bt, "--confirmations", cf};
    for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
        args[n++] = more[i];
    if (o->bitcoin)
        args[n++] = "--bitcoin";
    args[n] = NULL;
    int code = 0;
    QIAO_TRY(run_script(args, log_path, UP_TIMEOUT_MS, &code, d));
    if (code != 0)
        return up_failed(log_path, code, d);
    QIAO_TRY(qiao_devnet_load(net, dir, d));
    net->up = 1;
    if (!atexit_net)
        atexit(down_at_exit);
    atexit_net = net;
    return QIAO_OK;
}

qiao_err qiao_devnet_down(struct qiao_devnet *net, struct qiao_diag *d)
{
    char log_path[QIAO_DEVNET_PATH_MAX + 8];
    for (unsigned i = 0; i < net->n_notaries; i++)
        qiao_devnet_notary_stop(net, i);
    snprintf(log_path, sizeof(log_path), "%s.log", net->dir);
    const char *args[] = {"down", "--dir", net->dir, NULL};
    int code = 0;
    QIAO_TRY(run_script(args, log_path, CMD_TIMEOUT_MS, &code, d));
    if (code != 0) {
        char tail[200];
        log_tail(tail, sizeof(tail), log_path);
        return QIAO_FAIL(d, QIAO_EIO, "devnet-down-failed", "devnet.js down exited %d: %s (log %s)",
                         code, tail, log_path);
    }
    net->up = 0;
    return QIAO_OK;
}

int qiao_devnet_have_daemon(const struct qiao_devnet *net)
{
    char *argv[] = {(char *)net->qiao, "run", "--help", NULL};
    int code = -1;
    if (run_argv(argv, NULL, 10000, &code, NULL) != QIAO_OK)
        return 0;
    return code == 0;
}

/* Export the devnet passphrase under the name the configs use, from DIR/passphrase if needed. */
static qiao_err export_passphrase(const struct qiao_devnet *net, struct qiao_diag *d)
{
    const char *have = getenv(net->passphrase_env);
    if (have && *have)
        return QIAO_OK;
    if (!net->passphrase_file[0])
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-passphrase",
                         "$%s is unset and the devnet has no passphrase file", net->passphrase_env);
    char pass[256] = {0};
    FILE *f = fopen(net->passphrase_file, "r");
    if (!f || !fgets(pass, sizeof(pass), f)) {
        if (f)
            fclose(f);
        return QIAO_FAIL(d, QIAO_EIO, "no-passphrase", "cannot read %s", net->passphrase_file);
    }
    fclose(f);
    pass[strcspn(pass, "\r\n")] = 0;
    int rc = setenv(net->passphrase_env, pass, 1);
    memset(pass, 0, sizeof(pass));
    return rc == 0 ? QIAO_OK : QIAO_FAIL(d, QIAO_EIO, "setenv-failed", "cannot set $%s",
                                         net->passphrase_env);
}

static void write_pid_file(const struct qiao_devnet_notary *n)
{
    FILE *f = fopen(n->pid_file, "w");
    if (f) {
        fprintf(f, "%d\n", (int)n->pid);
        fclose(f);
    }
}

qiao_err qiao_devnet_notary_start(struct qiao_devnet *net, unsigned i, const char *const *extra_args,
                                  struct qiao_diag *d)
{
    if (i >= net->n_notaries)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-index", "notary index %u (devnet has %u)", i,
                         net->n_notaries);
    struct qiao_devnet_notary *n = &net->notaries[i];
    enum child_state st = n->pid > 0 ? child_state(n->pid) : CHILD_GONE;
    if (st == CHILD_RUNNING)
        return QIAO_FAIL(d, QIAO_ESTATE, "already-running", "%s is running (pid %d)", n->name,
                         (int)n->pid);
    if (st == CHILD_EXITED)
        qiao_proc_stop(n->pid); /* reap it and drop it from proc.c's list */
    QIAO_TRY(export_passphrase(net, d));
    char *argv[SCRIPT_ARGS_MAX + 5] = {net->qiao, (char *)"run", (char *)"--config", n->config};
    size_t k = 4;
    for (; extra_args && extra_args[k - 4] && k < SCRIPT_ARGS_MAX + 4; k++)
        argv[k] = (char *)extra_args[k - 4];
    argv[k] = NULL;
    n->pid = qiao_proc_spawn(argv, n->log);
    if (n->pid < 0) {
        n->pid = 0;
        return QIAO_FAIL(d, QIAO_EIO, "spawn-failed", "cannot start %s for %s", net->qiao, n->name);
    }
    write_pid_file(n);
    return QIAO_OK;
}

static int notary_end(struct qiao_devnet *net, unsigned i, int (*how)(pid_t))
{
    if (i >= net->n_notaries || net->notaries[i].pid <= 0)
        return -1;
    struct qiao_devnet_notary *n = &net->notaries[i];
    int status = child_state(n->pid) == CHILD_GONE ? -1 : how(n->pid);
    n->pid = 0;
    unlink(n->pid_file);
    return status;
}

int qiao_devnet_notary_stop(struct qiao_devnet *net, unsigned i)
{
    return notary_end(net, i, qiao_proc_stop);
}

int qiao_devnet_notary_kill9(struct qiao_devnet *net, unsigned i)
{
    return notary_end(net, i, qiao_proc_kill9);
}

int qiao_devnet_notary_wait_api(struct qiao_devnet *net, unsigned i, int timeout_ms)
{
    if (i >= net->n_notaries || net->notaries[i].pid <= 0)
        return -1;
    struct qiao_devnet_notary *n = &net->notaries[i];
    int rc = qiao_proc_wait_port(n->api_port, timeout_ms, n->pid);
    if (rc != 0 && child_state(n->pid) == CHILD_GONE) {
        n->pid = 0; /* it exited and proc.c reaped it */
        unlink(n->pid_file);
    }
    return rc;
}

/* A per-call file name in the devnet directory. */
static void scratch(char *out, size_t cap, const struct qiao_devnet *net, const char *what,
                    const char *ext)
{
    static unsigned counter;
    snprintf(out, cap, "%s/c-%s-%d-%u.%s", net->dir, what, (int)getpid(), ++counter, ext);
}

static qiao_err write_file(const char *path, const void *p, size_t len, struct qiao_diag *d)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(p, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = 0;
    return ok ? QIAO_OK : QIAO_FAIL(d, QIAO_EIO, "write-failed", "cannot write %s", path);
}

static qiao_err script_failed(const char *what, int code, const char *log_path, struct qiao_diag *d)
{
    char tail[200];
    log_tail(tail, sizeof(tail), log_path);
    return QIAO_FAIL(d, QIAO_EIO, "devnet-script-failed", "devnet.js %s exited %d: %s (log %s)",
                     what, code, tail, log_path);
}

qiao_err qiao_devnet_send(struct qiao_devnet *net, uint64_t src, uint64_t dst, const void *payload,
                          size_t len, struct qiao_devnet_sent *out, struct qiao_diag *d)
{
    char bin[QIAO_DEVNET_PATH_MAX + 64], rep[QIAO_DEVNET_PATH_MAX + 64], lane[48];
    char log_path[QIAO_DEVNET_PATH_MAX + 8];
    scratch(bin, sizeof(bin), net, "payload", "bin");
    scratch(rep, sizeof(rep), net, "sent", "json");
    snprintf(log_path, sizeof(log_path), "%s.log", net->dir);
    snprintf(lane, sizeof(lane), "%llu:%llu", (unsigned long long)src, (unsigned long long)dst);
    QIAO_TRY(write_file(bin, payload, len, d));
    const char *args[] = {"send", "--dir", net->dir, "--lane", lane, "--payload", bin,
                          "--out", rep, NULL};
    int code = 0;
    QIAO_TRY(run_script(args, log_path, CMD_TIMEOUT_MS, &code, d));
    if (code != 0)
        return script_failed("send", code, log_path, d);
    QIAO_TRY(qiao_devnet_read_report(QIAO_DEVNET_REPORT_SENT, out, rep, d));
    out->src = src;
    out->dst = dst;
    return QIAO_OK;
}

qiao_err qiao_devnet_wait_delivered(struct qiao_devnet *net, uint64_t dst, const uint8_t id[32],
                                    unsigned timeout_s, struct qiao_devnet_delivery *out,
                                    struct qiao_diag *d)
{
    char rep[QIAO_DEVNET_PATH_MAX + 64], idhex[67], chain[24], secs[16];
    char log_path[QIAO_DEVNET_PATH_MAX + 8];
    scratch(rep, sizeof(rep), net, "delivery", "json");
    snprintf(log_path, sizeof(log_path), "%s.log", net->dir);
    qiao_hex_encode0x(idhex, id, 32);
    snprintf(chain, sizeof(chain), "%llu", (unsigned long long)dst);
    snprintf(secs, sizeof(secs), "%u", timeout_s);
    const char *args[] = {"wait-delivered", "--dir", net->dir, "--id", idhex, "--chain", chain,
                          "--timeout", secs, "--out", rep, NULL};
    int code = 0;
    int budget_ms = (int)(timeout_s > 3600 ? 3600 : timeout_s) * 1000 + CMD_TIMEOUT_MS;
    QIAO_TRY(run_script(args, log_path, budget_ms, &code, d));
    if (code != 0 && code != 1)
        return script_failed("wait-delivered", code, log_path, d);
    if (code == 1 && access(rep, F_OK) != 0)
        return script_failed("wait-delivered", code, log_path, d);
    return qiao_devnet_read_report(QIAO_DEVNET_REPORT_DELIVERY, out, rep, d);
}

qiao_err qiao_devnet_submit(struct qiao_devnet *net, uint64_t chain, const uint8_t *calldata,
                            size_t len, struct qiao_devnet_submit *out, struct qiao_diag *d)
{
    char bin[QIAO_DEVNET_PATH_MAX + 64], rep[QIAO_DEVNET_PATH_MAX + 64], chain_s[24];
    char log_path[QIAO_DEVNET_PATH_MAX + 8];
    scratch(bin, sizeof(bin), net, "calldata", "bin");
    scratch(rep, sizeof(rep), net, "submit", "json");
    snprintf(log_path, sizeof(log_path), "%s.log", net->dir);
    snprintf(chain_s, sizeof(chain_s), "%llu", (unsigned long long)chain);
    QIAO_TRY(write_file(bin, calldata, len, d));
    const char *args[] = {"submit", "--dir", net->dir, "--chain", chain_s, "--data-file", bin,
                          "--out", rep, NULL};
    int code = 0;
    QIAO_TRY(run_script(args, log_path, CMD_TIMEOUT_MS, &code, d));
    if ((code != 0 && code != 1) || access(rep, F_OK) != 0)
        return script_failed("submit", code, log_path, d);
    return qiao_devnet_read_report(QIAO_DEVNET_REPORT_SUBMIT, out, rep, d);
}

int qiao_devnet_proc_alive(const struct qiao_devnet_proc *p)
{
    char path[64], text[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)p->pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = 0;
    /* comm may hold spaces or ')': the fields resume after the last ')'. */
    char *rest = strrchr(text, ')');
    if (!rest || rest[1] != ' ')
        return 0;
    char state = rest[2];
    char *field = rest + 2; /* field 3 (state) */
    for (int k = 3; k < 22 && field; k++) {
        field = strchr(field, ' ');
        if (field)
            field++;
    }
    if (!field || state == 'Z' || state == 'X')
        return 0;
    size_t len = strlen(p->start_time);
    return strncmp(field, p->start_time, len) == 0 && (field[len] == ' ' || field[len] == 0);
}
