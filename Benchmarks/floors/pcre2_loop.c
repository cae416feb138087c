/* The regex floor for logsift's benchmark: read a file in 1 MiB blocks, cut it into lines with
 * memchr, and match one regex against every line with PCRE2's JIT (compiled once, one match
 * data reused) -- what "a C regex loop" costs on the same input, with nothing aggregated.
 *
 *   cc -O2 -o pcre2_loop pcre2_loop.c $(pkg-config --cflags --libs libpcre2-8)
 *   ./pcre2_loop REGEX FILE        prints "lines=N matched=M"
 *
 * Lines longer than the block are matched in their first 1 MiB only (none are in the benchmark
 * logs). Written for logsift's Benchmarks/; no code from elsewhere. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { BLOCK = 1 << 20 };

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s REGEX FILE\n", argv[0]);
        return 2;
    }
    int error;
    PCRE2_SIZE offset;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)argv[1], PCRE2_ZERO_TERMINATED, 0, &error, &offset, NULL);
    if (code == NULL) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(error, message, sizeof message);
        fprintf(stderr, "pcre2_loop: regex error at %zu: %s\n", (size_t)offset, (char *)message);
        return 2;
    }
    if (pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) != 0) {
        fprintf(stderr, "pcre2_loop: JIT not available\n");
        return 2;
    }
    pcre2_match_data *data = pcre2_match_data_create_from_pattern(code, NULL);
    int fd = open(argv[2], O_RDONLY);
    if (fd < 0) {
        perror(argv[2]);
        return 2;
    }
    /* The buffer holds a partial line carried over plus one block. */
    char *buffer = malloc(2 * BLOCK);
    size_t kept = 0;
    unsigned long long lines = 0, matched = 0;
    for (;;) {
        ssize_t n = read(fd, buffer + kept, BLOCK);
        if (n < 0) {
            perror("read");
            return 2;
        }
        size_t end = kept + (size_t)n;
        char *start = buffer, *limit = buffer + end;
        for (;;) {
            char *nl = memchr(start, '\n', (size_t)(limit - start));
            if (nl == NULL) break;
            lines++;
            if (pcre2_jit_match(code, (PCRE2_SPTR)start, (size_t)(nl - start), 0, 0, data, NULL) >= 0) matched++;
            start = nl + 1;
        }
        kept = (size_t)(limit - start);
        if (n == 0) {
            if (kept > 0) {
                lines++;
                if (pcre2_jit_match(code, (PCRE2_SPTR)start, kept, 0, 0, data, NULL) >= 0) matched++;
            }
            break;
        }
        if (kept >= BLOCK) kept = 0; /* an overlong line: drop its head */
        memmove(buffer, start, kept);
    }
    printf("lines=%llu matched=%llu\n", lines, matched);
    free(buffer);
    pcre2_match_data_free(data);
    pcre2_code_free(code);
    close(fd);
    return 0;
}
