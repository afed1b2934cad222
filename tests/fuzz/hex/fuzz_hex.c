/* fuzz_hex.c: libFuzzer target for the strict hex decoder.  Property: whatever decodes re-encodes
 * to the same digits (case-folded, prefix dropped), and nothing else is accepted. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t out[512];
    size_t n;
    struct qiao_diag d = {0};
    const char *text = (const char *)data;
    if (qiao_hex_decode(out, sizeof(out), &n, text, size, &d) != QIAO_OK)
        return 0;
    size_t skip = size >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') ? 2 : 0;
    char again[2 * sizeof(out) + 1];
    qiao_hex_encode(again, out, n);
    if (2 * n != size - skip)
        abort();
    for (size_t i = 0; i < 2 * n; i++)
        if (tolower((unsigned char)text[skip + i]) != again[i])
            abort();
    return 0;
}
