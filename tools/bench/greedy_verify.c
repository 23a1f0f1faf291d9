/* Greedy verification in C (-O3): the "fast software" baseline of `make bench`.
 *
 * Input: a file written by tools/bench.py (little-endian):
 *   char magic[8] = "HADESBN1"; int32 R, G1 (= Γ+1 rows stored per round), V, dtype (1 = fp16 codes, 2 = float32)
 *   int32 gamma[R]; int32 draft[R][G1-1]; then the logits [R][G1][V] (uint16 codes or float32).
 * For every round it takes the argmax of rows 0, 1, … and stops at the first row whose argmax differs from the
 * draft token (or at row γ), exactly as DESIGN.md's greedy rule and the hardware do. Rows are compared by an
 * order-preserving integer key of the IEEE bits (fp16 as the hardware does; float32 the same way): NaN -> -inf,
 * -0 -> +0, ties to the lowest index. Each argmax is one vectorised pass (block maxima), then a scan of one block.
 *
 * Usage: greedy_verify FILE REPEATS MIN_SECONDS
 * Prints one JSON object: seconds per pass over all rounds for each repeat, tokens per pass, and the decisions.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline uint16_t fp16_key(uint16_t c) {
    c = ((c & 0x7FFFu) > 0x7C00u) ? (uint16_t)0xFC00u : c; /* NaN -> -inf */
    c = (c == 0x8000u) ? (uint16_t)0 : c;                   /* -0 -> +0 */
    uint16_t flip = (c & 0x8000u) ? (uint16_t)0xFFFFu : (uint16_t)0x8000u;
    return (uint16_t)(c ^ flip);
}

static inline uint32_t f32_key(uint32_t c) {
    c = ((c & 0x7FFFFFFFu) > 0x7F800000u) ? 0xFF800000u : c; /* NaN -> -inf */
    c = (c == 0x80000000u) ? 0u : c;                         /* -0 -> +0 */
    uint32_t flip = (c & 0x80000000u) ? 0xFFFFFFFFu : 0x80000000u;
    return c ^ flip;
}

/* Argmax by key, ties to the lowest index, in one vectorised pass: the maximum key of each block of 256 (a vector
 * max reduction), keeping the first block whose maximum beats every earlier one; then the first index of that
 * maximum inside that block. */
#define BLOCK 256
#define ARGMAX_BY_KEY(NAME, T, KEY)                                                                            \
    static int NAME(const T *row, int v) {                                                                     \
        T best = 0;                                                                                            \
        int best_block = 0, blocks = v / BLOCK;                                                                \
        for (int b = 0; b <= blocks; b++) {                                                                    \
            int lo = b * BLOCK, hi = b == blocks ? v : lo + BLOCK;                                             \
            T m = 0;                                                                                           \
            for (int i = lo; i < hi; i++) {                                                                    \
                T k = KEY(row[i]);                                                                             \
                m = k > m ? k : m;                                                                             \
            }                                                                                                  \
            if (m > best) { best = m; best_block = b; }                                                        \
        }                                                                                                      \
        for (int i = best_block * BLOCK; i < v; i++)                                                           \
            if (KEY(row[i]) == best) return i;                                                                 \
        return 0;                                                                                              \
    }

ARGMAX_BY_KEY(argmax_fp16, uint16_t, fp16_key)
ARGMAX_BY_KEY(argmax_f32bits, uint32_t, f32_key)

static int argmax_f32(const float *row, int v) { return argmax_f32bits((const uint32_t *)(const void *)row, v); }

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE REPEATS MIN_SECONDS\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    char magic[8];
    int32_t hdr[4];
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "HADESBN1", 8) != 0 || fread(hdr, 4, 4, f) != 4) {
        fprintf(stderr, "%s: not a HADESBN1 file\n", argv[1]);
        return 2;
    }
    int R = hdr[0], G1 = hdr[1], V = hdr[2], dtype = hdr[3];
    if (R < 1 || G1 < 1 || V < 2 || (dtype != 1 && dtype != 2)) { fprintf(stderr, "bad header\n"); return 2; }
    int G = G1 - 1;
    int32_t *gamma = malloc(sizeof(int32_t) * R);
    int32_t *draft = malloc(sizeof(int32_t) * (size_t)R * (G > 0 ? G : 1));
    size_t elem = dtype == 1 ? 2 : 4;
    size_t count = (size_t)R * G1 * V;
    void *logits = aligned_alloc(64, (count * elem + 63) / 64 * 64);
    if (fread(gamma, 4, R, f) != (size_t)R || fread(draft, 4, (size_t)R * G, f) != (size_t)R * G ||
        fread(logits, elem, count, f) != count) {
        fprintf(stderr, "%s: truncated\n", argv[1]);
        return 2;
    }
    fclose(f);
    int repeats = atoi(argv[2]);
    double min_seconds = atof(argv[3]);
    if (repeats < 1) repeats = 1;

    int *accepted = malloc(sizeof(int) * R), *token = malloc(sizeof(int) * R);
    long tokens = 0, rows = 0;
    double *per_pass = malloc(sizeof(double) * repeats);
    for (int rep = -1; rep < repeats; rep++) { /* rep -1: warm-up */
        long passes = 0;
        double start = now(), elapsed;
        do {
            tokens = 0;
            rows = 0;
            for (int r = 0; r < R; r++) {
                int g = gamma[r], n = 0, t = 0;
                for (;;) {
                    size_t off = ((size_t)r * G1 + n) * V;
                    int a = dtype == 1 ? argmax_fp16((const uint16_t *)logits + off, V)
                                       : argmax_f32((const float *)logits + off, V);
                    rows++;
                    if (n < g && draft[(size_t)r * G + n] == a) { n++; continue; }
                    t = a;
                    break;
                }
                accepted[r] = n;
                token[r] = t;
                tokens += n + 1;
            }
            passes++;
            elapsed = now() - start;
        } while (elapsed < min_seconds);
        if (rep >= 0) per_pass[rep] = elapsed / passes;
    }
    double sorted[repeats];
    memcpy(sorted, per_pass, sizeof(double) * repeats);
    qsort(sorted, repeats, sizeof(double), cmp_double);
    double median = repeats % 2 ? sorted[repeats / 2] : (sorted[repeats / 2 - 1] + sorted[repeats / 2]) / 2;
    printf("{\"tool\":\"greedy_verify.c\",\"dtype\":\"%s\",\"rounds\":%d,\"vocab\":%d,\"tokens_per_pass\":%ld,"
           "\"rows_per_pass\":%ld,\"repeats\":%d,\"seconds_per_pass\":[",
           dtype == 1 ? "fp16" : "float32", R, V, tokens, rows, repeats);
    for (int i = 0; i < repeats; i++) printf("%s%.9f", i ? "," : "", per_pass[i]);
    printf("],\"median_seconds_per_pass\":%.9f,\"tokens_per_s\":%.1f,\"accepted\":[", median, tokens / median);
    for (int r = 0; r < R; r++) printf("%s%d", r ? "," : "", accepted[r]);
    printf("],\"next_token\":[");
    for (int r = 0; r < R; r++) printf("%s%d", r ? "," : "", token[r]);
    printf("]}\n");
    return 0;
}
