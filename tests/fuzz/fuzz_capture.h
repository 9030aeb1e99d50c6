/* tests/fuzz/fuzz_capture.h: opens a fuzz input as a capture file, for the
 * targets whose input is a whole pcap or pcapng file (fuzz_reader,
 * fuzz_pipeline).  NULL for inputs the targets skip (empty, over 1 MiB)
 * and files the reader refuses. */
#ifndef FUZZ_CAPTURE_H
#define FUZZ_CAPTURE_H

#include <stdio.h>

#include "engine/reader.h"

static inline struct reader *fuzz_open_capture(const uint8_t *data, size_t size)
{
    char errbuf[NS_ERRBUF_SIZE];
    if (size == 0 || size > (1u << 20))
        return NULL;
    FILE *fp = fmemopen((void *)data, size, "rb");
    if (!fp)
        return NULL;
    return reader_open_file(fp, "fuzz.pcap", NULL, errbuf);
}

#endif
