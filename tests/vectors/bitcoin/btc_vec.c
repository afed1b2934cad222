/* btc_vec.c: shared helpers of the Bitcoin vector tests (see btc_vec.h). */
#include "tests/vectors/bitcoin/btc_vec.h"

#include <stdio.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "tests/qt.h"

cJSON *btc_vec_load(const char *name)
{
    char rel[128];
    snprintf(rel, sizeof(rel), "bitcoin/%s", name);
    const char *path = qt_vector_path(rel);
    if (!path)
        return NULL;
    cJSON *root = NULL;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_json_parse_file(&root, path, 0, 0, &d) == QIAO_OK, "%s: %s", name, d.msg);
    return root;
}

uint8_t *btc_vec_hexs(const char *hex, size_t *len)
{
    uint8_t *out = NULL;
    struct qiao_diag d = {0};
    if (!hex || qiao_hex_decode_alloc(&out, len, hex, 1 << 20, &d) != QIAO_OK)
        return NULL;
    return out;
}

uint8_t *btc_vec_hex(const cJSON *obj, const char *key, size_t *len)
{
    const cJSON *v = qiao_json_get(obj, key);
    return cJSON_IsString(v) ? btc_vec_hexs(v->valuestring, len) : NULL;
}

cJSON *btc_vec_obj(const cJSON *item)
{
    if (cJSON_IsObject(item))
        return cJSON_Duplicate(item, 1);
    cJSON *o = NULL;
    if (cJSON_IsString(item))
        qiao_json_parse(&o, item->valuestring, strlen(item->valuestring), 0, 0, NULL);
    return o;
}
