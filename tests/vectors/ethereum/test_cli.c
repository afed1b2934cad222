/*
 * test_cli.c: `qiao evm verify-block` as scripts use it.  Every one of the 237 vector blocks must
 * print ok:true with the expected hash and exit 0 (via --rlp HEX, and via stdin for a few); a block
 * whose header claims a different transactions root must print ok:false and exit 1; truncated RLP
 * exits 1 with an error reason; non-hex input and bad usage exit 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "relay/core/json.h"
#include "tests/qt.h"

#define QIAO QIAO_BINARY_DIR "/qiao"

/* Run cmd with input (or NULL) on stdin; capture stdout into out.  Returns the exit status. */
static int run(const char *cmd, const char *input, char *out, size_t cap)
{
    char tmp[] = "/tmp/qiao-evm-cli-XXXXXX";
    size_t flen = strlen(cmd) + sizeof(tmp) + 8;
    char *full = malloc(flen);
    int fd = mkstemp(tmp);
    if (fd < 0 || !full) {
        free(full);
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (input)
        fputs(input, f);
    fclose(f);
    snprintf(full, flen, "%s < %s", cmd, tmp);
    FILE *p = popen(full, "r");
    free(full);
    size_t n = p ? fread(out, 1, cap - 1, p) : 0;
    out[n] = 0;
    int st = p ? pclose(p) : -1;
    remove(tmp);
    return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char out[8192];

static void check_block(const cJSON *e, int via_stdin)
{
    const char *rlp = qiao_json_get(e, "blockRlp")->valuestring;
    const char *hash = qiao_json_get(e, "hash")->valuestring;
    size_t n = strlen(rlp) + 64;
    char *cmd = malloc(n);
    int rc;
    if (via_stdin) {
        rc = run(QIAO " evm verify-block --rlp -", rlp, out, sizeof(out));
    } else {
        snprintf(cmd, n, QIAO " evm verify-block --rlp %s", rlp);
        rc = run(cmd, NULL, out, sizeof(out));
    }
    char want[100];
    snprintf(want, sizeof(want), "\"hash\":\"%s\"", hash);
    QT_CHECKF(rc == 0 && strncmp(out, "{\"ok\":true,", 11) == 0 && strstr(out, want),
              "block %s: rc %d, %s", hash, rc, out);
    free(cmd);
}

static void check_rejections(const cJSON *e)
{
    const char *rlp = qiao_json_get(e, "blockRlp")->valuestring;
    const char *root = qiao_json_get(e, "transactionsTrie")->valuestring + 2;
    char *bad = strdup(rlp), *at = strstr(bad, root);
    QT_CHECK(at != NULL);
    if (at)
        at[10] = at[10] == '0' ? '1' : '0'; /* the header now claims another root */
    QT_CHECK(run(QIAO " evm verify-block --rlp -", bad, out, sizeof(out)) == 1 &&
             strncmp(out, "{\"ok\":false,\"hash\":", 19) == 0);
    bad[strlen(bad) - 6] = 0; /* truncated */
    QT_CHECK(run(QIAO " evm verify-block --rlp -", bad, out, sizeof(out)) == 1 &&
             strstr(out, "\"error\":\"truncated\""));
    QT_CHECK(run(QIAO " evm verify-block --rlp -", "0xzz", out, sizeof(out)) == 2);
    QT_CHECK(run(QIAO " evm verify-block 2>/dev/null", NULL, out, sizeof(out)) == 2);
    QT_CHECK(run(QIAO " evm verify-block --hex 00 2>/dev/null", NULL, out, sizeof(out)) == 2);
    free(bad);
}

int main(void)
{
    const char *path = qt_vector_path("ethereum/blocks.json");
    if (!path)
        return qt_finish();
    cJSON *root = NULL;
    QT_CHECK(qiao_json_parse_file(&root, path, 0, 0, NULL) == QIAO_OK);
    int i = 0;
    const cJSON *e, *with_txs = NULL;
    cJSON_ArrayForEach(e, root) {
        check_block(e, i++ % 40 == 0);
        const cJSON *c = qiao_json_get(e, "txCount");
        if (!with_txs && cJSON_IsNumber(c) && c->valuedouble >= 1)
            with_txs = e;
    }
    QT_CHECK(with_txs != NULL);
    if (with_txs)
        check_rejections(with_txs);
    cJSON_Delete(root);
    return qt_finish();
}
