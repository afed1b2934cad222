/*
 * test_bft_cli.c: `qiao bft verify` end to end on every step of every single-step vector file:
 * the trusted and untrusted blocks are written to files, the real qiao binary runs, and its JSON
 * verdict and exit status must match the vector (trusted state advancing only on SUCCESS, trust
 * 1/3, drift 0).  Also the usage errors and a tampered untrusted file.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relay/core/json.h"
#include "tests/qt.h"

static char dir[256];

static void write_json(const char *path, const cJSON *obj)
{
    char *text = cJSON_PrintUnformatted(obj);
    FILE *f = fopen(path, "w");
    QT_CHECK(text && f);
    if (f && text)
        fputs(text, f);
    if (f)
        fclose(f);
    free(text);
}

/* Run qiao with args; Out: verdict (from stdout JSON).  Returns the exit status. */
static int run(const char *args, char *verdict, size_t cap)
{
    char cmd[2048], path[300];
    snprintf(path, sizeof(path), "%s/out.json", dir);
    snprintf(cmd, sizeof(cmd), "%s/qiao bft verify %s > %s 2>/dev/null", QIAO_BINARY_DIR, args, path);
    int st = system(cmd);
    size_t n = 0;
    char *text = qt_read_file(path, &n);
    cJSON *root = NULL;
    verdict[0] = '\0';
    if (text && qiao_json_parse(&root, text, n, 0, 0, NULL) == 0) {
        const char *v = cJSON_GetStringValue(qiao_json_get(root, "verdict"));
        const char *r = cJSON_GetStringValue(qiao_json_get(root, "reason"));
        QT_CHECKF(v && r && cJSON_GetArraySize(root) == 2, "output shape: %s", text);
        snprintf(verdict, cap, "%s", v ? v : "");
    } else {
        QT_CHECKF(0, "qiao printed no JSON verdict for: %s", args);
    }
    cJSON_Delete(root);
    free(text);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static unsigned steps_run;

static void file_case(const char *name)
{
    char rel[512], trusted[300], untrusted[300], args[1024], got[32];
    snprintf(rel, sizeof(rel), "cometbft/single_step/%s", name);
    const char *path = qt_vector_path(rel);
    cJSON *root = NULL;
    if (!path || qiao_json_parse_file(&root, path, 0, 0, NULL))
        return;
    const cJSON *initial = qiao_json_get(root, "initial");
    uint64_t period_ns = 0;
    QT_CHECK(qiao_json_u64(&period_ns, initial, "trusting_period", NULL) == 0);
    snprintf(trusted, sizeof(trusted), "%s/trusted.json", dir);
    snprintf(untrusted, sizeof(untrusted), "%s/untrusted.json", dir);
    write_json(trusted, initial);
    size_t i = 0;
    for (const cJSON *in = qiao_json_get(root, "input")->child; in; in = in->next, i++) {
        const char *want = cJSON_GetStringValue(qiao_json_get(in, "verdict"));
        write_json(untrusted, qiao_json_get(in, "block"));
        snprintf(args, sizeof(args),
                 "--trusted %s --untrusted %s --now %s --trust-threshold 1/3 --trusting-period "
                 "%llu.%09llu --max-clock-drift 0",
                 trusted, untrusted, cJSON_GetStringValue(qiao_json_get(in, "now")),
                 (unsigned long long)(period_ns / 1000000000), (unsigned long long)(period_ns % 1000000000));
        int st = run(args, got, sizeof(got));
        QT_CHECKF(want && !strcmp(got, want), "%s step %zu: got %s, want %s", name, i, got, want ? want : "?");
        QT_CHECKF(st == (want && !strcmp(want, "SUCCESS") ? 0 : 1), "%s step %zu: exit %d", name, i, st);
        if (want && !strcmp(want, "SUCCESS"))
            write_json(trusted, qiao_json_get(in, "block"));
        steps_run++;
    }
    cJSON_Delete(root);
}

static void usage_and_tampering(void)
{
    char got[32], args[1024];
    const char *path = qt_vector_path("cometbft/single_step/MC4_4_faulty_TestSuccess.json");
    cJSON *root = NULL;
    QT_CHECK(run("", got, sizeof(got)) == 2);
    QT_CHECK(run("--trusted /nonexistent --untrusted /nonexistent --now 2020-01-01T00:00:00Z", got, sizeof(got)) == 2);
    QT_CHECK(run("--trusted a --untrusted b --now yesterday", got, sizeof(got)) == 2);
    QT_CHECK(run("--trusted a --untrusted b --now 2020-01-01T00:00:00Z --trust-threshold 1/4", got, sizeof(got)) == 2);
    QT_CHECK(run("--trusted a --untrusted b --now 2020-01-01T00:00:00Z --bogus 1", got, sizeof(got)) == 2);
    if (!path || qiao_json_parse_file(&root, path, 0, 0, NULL))
        return;
    /* Step 1 of TestSuccess verifies; the same block with one signature character changed must not. */
    cJSON *initial = cJSON_GetObjectItemCaseSensitive(root, "initial");
    cJSON *step = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "input"), 1);
    cJSON *block = cJSON_GetObjectItemCaseSensitive(step, "block");
    char trusted[300], untrusted[300];
    snprintf(trusted, sizeof(trusted), "%s/trusted.json", dir);
    snprintf(untrusted, sizeof(untrusted), "%s/untrusted.json", dir);
    write_json(trusted, initial);
    write_json(untrusted, block);
    snprintf(args, sizeof(args), "--trusted %s --untrusted %s --now %s --trusting-period 1400 --max-clock-drift 0",
             trusted, untrusted, cJSON_GetStringValue(qiao_json_get(step, "now")));
    QT_CHECK(run(args, got, sizeof(got)) == 0 && !strcmp(got, "SUCCESS"));
    cJSON *sig = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                               cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(block, "signed_header"),
                                                                "commit"), "signatures"), 0), "signature");
    char *s = sig ? sig->valuestring : NULL;
    QT_CHECK(s != NULL);
    if (s)
        s[3] = s[3] == 'A' ? 'B' : 'A';
    write_json(untrusted, block);
    QT_CHECK(run(args, got, sizeof(got)) == 1 && !strcmp(got, "INVALID"));
    cJSON_Delete(root);
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/qiao-bft-cli-XXXXXX");
    QT_CHECK(mkdtemp(dir) != NULL);
    const char *vdir = qt_vector_path("cometbft/single_step");
    if (vdir) {
        DIR *dh = opendir(vdir);
        for (struct dirent *e; dh && (e = readdir(dh));)
            if (strstr(e->d_name, ".json"))
                file_case(e->d_name);
        if (dh)
            closedir(dh);
        QT_CHECKF(steps_run >= 50, "only %u steps ran", steps_run);
        printf("qiao bft verify: %u vector steps\n", steps_run);
    }
    usage_and_tampering();
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    QT_CHECK(system(cmd) == 0);
    return qt_finish();
}
