/* The gzip floor for logsift's benchmark: inflate a gzip file (every member of a concatenated
 * one) with zlib into one reused 1 MiB buffer and count newlines -- the least any reader of
 * that file must do.
 *
 *   cc -O2 -o inflate_loop inflate_loop.c -lz
 *   ./inflate_loop FILE.gz         prints "bytes=N lines=M"
 *
 * Written for logsift's Benchmarks/; no code from elsewhere. */
#include <zlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { IN = 1 << 18, OUT = 1 << 20 };

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.gz\n", argv[0]);
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        perror(argv[1]);
        return 2;
    }
    unsigned char *in = malloc(IN), *out = malloc(OUT);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK) return 2; /* 15 + 32: gzip or zlib header */
    unsigned long long bytes = 0, lines = 0;
    for (;;) {
        ssize_t n = read(fd, in, IN);
        if (n < 0) {
            perror("read");
            return 2;
        }
        if (n == 0) break;
        z.next_in = in;
        z.avail_in = (uInt)n;
        while (z.avail_in > 0) {
            z.next_out = out;
            z.avail_out = OUT;
            int rc = inflate(&z, Z_NO_FLUSH);
            size_t produced = OUT - z.avail_out;
            bytes += produced;
            for (unsigned char *p = out, *e = out + produced; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++) lines++;
            if (rc == Z_STREAM_END) {
                /* Another member may follow. */
                if (inflateReset(&z) != Z_OK) return 2;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                fprintf(stderr, "inflate_loop: zlib error %d\n", rc);
                return 2;
            } else if (rc == Z_BUF_ERROR && produced == 0) {
                break;
            }
        }
    }
    printf("bytes=%llu lines=%llu\n", bytes, lines);
    inflateEnd(&z);
    free(in);
    free(out);
    close(fd);
    return 0;
}
