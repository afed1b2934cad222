/*
 * test_btc_cli.c: the conformance commands as scripts run them: `qiao btc verify-headers` on the
 * vector chains (exit 0 and the expected tip), the retarget chain without --period-start (exit 1
 * at index 10), a broken link, a short line and a future clock (exit 1 with the right error),
 * usage errors (exit 2), and `qiao btc verify-proof` on the vector proof (exit 0 / 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "relay/core/json.h"
#include "tests/qt.h"
#include "tests/vectors/bitcoin/btc_vec.h"

static char out[4096];

/* Run the qiao binary with args (a shell fragment); returns the exit status, stdout in out. */
static int qiao(const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof(cmd), "%s/qiao %s 2>/dev/null", QIAO_BINARY_DIR, args);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out, 1, sizeof(out) - 1, p) : 0;
    out[n] = 0;
    int st = p ? pclose(p) : -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_chain(const char *path, const cJSON *file, int broken, int short_line)
{
    FILE *f = fopen(path, "w");
    const cJSON *e;
    fprintf(f, "%s\n", qiao_json_get(qiao_json_get(file, "genesis"), "hex")->valuestring);
    int i = 0;
    cJSON_ArrayForEach(e, qiao_json_get(file, "chain")) {
        const char *hex = qiao_json_get(e, "hex")->valuestring + 2; /* also without 0x */
        if (broken && i == 5)
            fprintf(f, "%s\n", qiao_json_get(qiao_json_get(file, "badHeader"), "hex")->valuestring);
        else if (short_line && i == 3)
            fprintf(f, "%.158s\n", hex);
        else
            fprintf(f, "%s\n", hex);
        i++;
    }
    fclose(f);
}

static void headers(void)
{
    cJSON *h = btc_vec_load("headers.json"), *r = btc_vec_load("headers_with_retarget.json");
    if (!h || !r)
        return cJSON_Delete(h), cJSON_Delete(r);
    const char *f1 = QIAO_BINARY_DIR "/btc_cli_headers.txt";
    write_chain(f1, h, 0, 0);
    char args[1024];
    snprintf(args, sizeof(args), "btc verify-headers --anchor-height 562621 %s", f1);
    QT_CHECK(qiao(args) == 0);
    QT_CHECKF(strstr(out, "\"ok\":true,\"tip_height\":562639,\"tip_hash\":\"0000000000000000000fb8"
                          "dba7f48eb65dbc24c6dc03d6f84823b5d59c7c4148\"") && strstr(out, "\"headers\":19"),
              "%s", out);
    snprintf(args, sizeof(args), "btc verify-headers --anchor-height 562621 --now 1549910000 %s", f1);
    QT_CHECK(qiao(args) == 1 && strstr(out, "\"error\":\"time-too-new\""));
    write_chain(f1, h, 1, 0);
    snprintf(args, sizeof(args), "btc verify-headers --anchor-height 562621 %s", f1);
    QT_CHECK(qiao(args) == 1 && strstr(out, "\"index\":6,\"height\":562627,\"error\":\"bad-prev-hash\""));
    write_chain(f1, h, 0, 1);
    QT_CHECK(qiao(args) == 1 && strstr(out, "\"index\":4,") && strstr(out, "bad-header-length"));
    write_chain(f1, r, 0, 0);
    snprintf(args, sizeof(args), "btc verify-headers --anchor-height 554390 %s", f1);
    QT_CHECK(qiao(args) == 1 && strstr(out, "\"index\":10,\"height\":554400,\"error\":\"period-start-required\""));
    snprintf(args, sizeof(args), "btc verify-headers --anchor-height 554390 --period-start %s %s",
             qiao_json_get(qiao_json_get(r, "oldPeriodStart"), "hex")->valuestring, f1);
    QT_CHECK(qiao(args) == 0 && strstr(out, "\"tip_height\":554408"));
    QT_CHECK(qiao("btc verify-headers /nonexistent") == 2);
    QT_CHECK(qiao("btc verify-headers --anchor-height 1 /nonexistent") == 2);
    QT_CHECK(qiao("btc verify-headers --network moon --anchor-height 1 x") == 2);
    QT_CHECK(qiao("btc frobnicate") == 2);
    cJSON_Delete(h), cJSON_Delete(r);
}

static void proofs(void)
{
    cJSON *v = btc_vec_load("spv_proofs.json");
    if (!v)
        return;
    cJSON *p = btc_vec_obj(cJSON_GetArrayItem(qiao_json_get(v, "valid"), 0));
    const char *hdr = qiao_json_get(qiao_json_get(p, "confirming_header"), "raw")->valuestring;
    const char *nodes = qiao_json_get(p, "intermediate_nodes")->valuestring;
    const char *txid = qiao_json_get(p, "tx_id")->valuestring;
    static char args[8192];
    snprintf(args, sizeof(args), "btc verify-proof --header %s --txid %s --index 26 --path %s", hdr,
             txid, nodes);
    QT_CHECK(qiao(args) == 0 && strstr(out, "\"ok\":true") && strstr(out, "\"index\":26"));
    snprintf(args, sizeof(args), "btc verify-proof --header %s --txid %s --index 27 --path %s", hdr,
             txid, nodes);
    QT_CHECK(qiao(args) == 1 && strstr(out, "merkle-root-mismatch"));
    snprintf(args, sizeof(args), "btc verify-proof --header %s --txid %s --index 26", hdr, txid);
    QT_CHECK(qiao(args) == 2);
    snprintf(args, sizeof(args), "btc verify-proof --header %s --tx %s%s%s%s --index 26 --path %s",
             hdr, qiao_json_get(p, "version")->valuestring, qiao_json_get(p, "vin")->valuestring + 2,
             qiao_json_get(p, "vout")->valuestring + 2, qiao_json_get(p, "locktime")->valuestring + 2,
             nodes);
    QT_CHECK(qiao(args) == 0 && strstr(out, "74d6d6dc1fc9b0f393abde12e76adeeb3d674b38b7fbea4d9fc28b3bb0f67651"));
    cJSON_Delete(p), cJSON_Delete(v);
}

int main(void)
{
    headers();
    proofs();
    return qt_finish();
}
