/* tests/test_tls.c: the TLS parser (dissect/tls.h), its certificate reader
 * (dissect/x509.h) and the "tls" EVE record (output/eve_tls.c).
 *
 * The real handshakes below were made with openssl 3.0 s_server/s_client
 * in a network namespace of our own (a throwaway CA "NetScope Test Root"
 * and a leaf for www.example.com, serial A1B2C3D4E5F60718, valid
 * 2016-07-20T00:00:00 to 2051-01-01T12:00:00) and captured with tcpdump;
 * the expected JA3/JA3S values are tshark 4.0's for the same capture, the
 * JA4 ones an independent script's.  They are fed whole, byte by byte and
 * in odd pieces; every call gets a buffer of exactly the bytes pending, so
 * ASan sees any read past them.  Malformed inputs are built here with a
 * small builder.  Records are checked against tests/schema_check.py: run
 * from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#define OPENSSL_API_COMPAT 0x10100000L
#include <openssl/md5.h>
#include <openssl/sha.h>

#include "tests/test_util.h"

#include "dissect/tls.h"
#include "dissect/x509.h"
#include "output/eve_tls.h"

/* TLS 1.2, full handshake (openssl s_client -tls1_2 -servername www.example.com -alpn h2,http/1.1) */
static const uint8_t t12_ch[230] = {
    0x16, 0x03, 0x01, 0x00, 0xe1, 0x01, 0x00, 0x00, 0xdd, 0x03, 0x03, 0x0f, 0x66, 0x74, 0x66, 0x1e,
    0x22, 0x13, 0xe1, 0xfe, 0xba, 0x6a, 0xcd, 0x1c, 0x79, 0x34, 0x57, 0x67, 0x7f, 0xea, 0x7b, 0xe3,
    0xf8, 0x75, 0xe2, 0x5d, 0xb8, 0x8a, 0xf1, 0xf3, 0x1f, 0x2a, 0x50, 0x00, 0x00, 0x38, 0xc0, 0x2c,
    0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa, 0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e,
    0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23, 0xc0, 0x27, 0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14,
    0x00, 0x39, 0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c,
    0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0x7c, 0x00, 0x00, 0x00, 0x14, 0x00, 0x12,
    0x00, 0x00, 0x0f, 0x77, 0x77, 0x77, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63,
    0x6f, 0x6d, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x0c, 0x00, 0x0a,
    0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x00, 0x23, 0x00, 0x00, 0x00, 0x10,
    0x00, 0x0e, 0x00, 0x0c, 0x02, 0x68, 0x32, 0x08, 0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31,
    0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00, 0x28, 0x04, 0x03,
    0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04,
    0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01, 0x03, 0x02,
    0x04, 0x02, 0x05, 0x02, 0x06, 0x02,
};

static const uint8_t t12_srv_flight[1238] = {
    0x16, 0x03, 0x03, 0x00, 0x6c, 0x02, 0x00, 0x00, 0x68, 0x03, 0x03, 0x4b, 0x14, 0xdd, 0x94, 0xef,
    0x12, 0xde, 0x62, 0xb0, 0x1f, 0xf7, 0xd7, 0x85, 0x3e, 0xef, 0xe5, 0x6f, 0xb1, 0xb5, 0x51, 0x95,
    0xcf, 0x4c, 0xc5, 0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01, 0x20, 0xdd, 0x1e, 0x50, 0xd4,
    0x7b, 0xaa, 0x80, 0x62, 0xb4, 0x77, 0x8d, 0x7a, 0xb6, 0x0f, 0xd0, 0xdd, 0x7e, 0x8e, 0xf0, 0x43,
    0xa9, 0x03, 0x26, 0xb6, 0x3d, 0xe7, 0xa0, 0xbd, 0x6e, 0x90, 0x80, 0x53, 0xc0, 0x2c, 0x00, 0x00,
    0x20, 0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x10,
    0x00, 0x0b, 0x00, 0x09, 0x08, 0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31, 0x00, 0x17, 0x00,
    0x00, 0x16, 0x03, 0x03, 0x03, 0xde, 0x0b, 0x00, 0x03, 0xda, 0x00, 0x03, 0xd7, 0x00, 0x01, 0xf5,
    0x30, 0x82, 0x01, 0xf1, 0x30, 0x82, 0x01, 0x98, 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x09, 0x00,
    0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x04, 0x03, 0x02, 0x30, 0x42, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13,
    0x02, 0x55, 0x53, 0x31, 0x16, 0x30, 0x14, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x0d, 0x4e, 0x65,
    0x74, 0x53, 0x63, 0x6f, 0x70, 0x65, 0x20, 0x54, 0x65, 0x73, 0x74, 0x31, 0x1b, 0x30, 0x19, 0x06,
    0x03, 0x55, 0x04, 0x03, 0x0c, 0x12, 0x4e, 0x65, 0x74, 0x53, 0x63, 0x6f, 0x70, 0x65, 0x20, 0x54,
    0x65, 0x73, 0x74, 0x20, 0x52, 0x6f, 0x6f, 0x74, 0x30, 0x20, 0x17, 0x0d, 0x31, 0x36, 0x30, 0x37,
    0x32, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x5a, 0x18, 0x0f, 0x32, 0x30, 0x35, 0x31, 0x30,
    0x31, 0x30, 0x31, 0x31, 0x32, 0x30, 0x30, 0x30, 0x30, 0x5a, 0x30, 0x4e, 0x31, 0x0b, 0x30, 0x09,
    0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 0x55, 0x53, 0x31, 0x13, 0x30, 0x11, 0x06, 0x03, 0x55,
    0x04, 0x08, 0x0c, 0x0a, 0x43, 0x61, 0x6c, 0x69, 0x66, 0x6f, 0x72, 0x6e, 0x69, 0x61, 0x31, 0x10,
    0x30, 0x0e, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x07, 0x45, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x31, 0x18, 0x30, 0x16, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x0f, 0x77, 0x77, 0x77, 0x2e, 0x65,
    0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d, 0x30, 0x59, 0x30, 0x13, 0x06, 0x07,
    0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
    0x07, 0x03, 0x42, 0x00, 0x04, 0xc8, 0x1e, 0x6a, 0x26, 0x7b, 0xd8, 0x74, 0x6a, 0xfc, 0xf6, 0x8c,
    0x4a, 0xa3, 0x21, 0x3a, 0x6f, 0x64, 0x88, 0x0b, 0xec, 0x48, 0xeb, 0x69, 0x7a, 0xee, 0xff, 0x99,
    0xd6, 0x35, 0x2c, 0xf5, 0xec, 0x58, 0x59, 0x3b, 0x01, 0x0b, 0x89, 0xef, 0xc3, 0x31, 0x88, 0xe1,
    0x80, 0x88, 0xec, 0x80, 0xe7, 0x0c, 0xd3, 0xa0, 0x4e, 0x47, 0x77, 0xeb, 0x43, 0xd6, 0xd7, 0x5f,
    0x8c, 0xbc, 0xfc, 0x28, 0x1d, 0xa3, 0x69, 0x30, 0x67, 0x30, 0x1a, 0x06, 0x03, 0x55, 0x1d, 0x11,
    0x04, 0x13, 0x30, 0x11, 0x82, 0x0f, 0x77, 0x77, 0x77, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c,
    0x65, 0x2e, 0x63, 0x6f, 0x6d, 0x30, 0x09, 0x06, 0x03, 0x55, 0x1d, 0x13, 0x04, 0x02, 0x30, 0x00,
    0x30, 0x1d, 0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04, 0x16, 0x04, 0x14, 0x29, 0xd0, 0xfa, 0xed, 0xfc,
    0x75, 0x49, 0x5d, 0xe8, 0x58, 0xd0, 0xe4, 0x92, 0x2a, 0x5c, 0x80, 0x3c, 0x8c, 0x83, 0x73, 0x30,
    0x1f, 0x06, 0x03, 0x55, 0x1d, 0x23, 0x04, 0x18, 0x30, 0x16, 0x80, 0x14, 0x0b, 0x36, 0xa2, 0x26,
    0xfc, 0x2a, 0x1b, 0x21, 0x3a, 0x0c, 0xf4, 0xc8, 0x1c, 0x8e, 0xe3, 0x8d, 0xa8, 0x4c, 0x3b, 0xb8,
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x03, 0x47, 0x00, 0x30,
    0x44, 0x02, 0x20, 0x60, 0x6c, 0xf0, 0xbc, 0x9e, 0x29, 0xbd, 0x54, 0x20, 0x23, 0xcf, 0x31, 0x42,
    0x85, 0x5e, 0x73, 0x0b, 0xfd, 0x62, 0xe2, 0x29, 0x50, 0xd2, 0x85, 0x85, 0x0d, 0x0e, 0xe4, 0x42,
    0x64, 0xbc, 0x6d, 0x02, 0x20, 0x69, 0x58, 0xa8, 0x97, 0x73, 0x52, 0xcc, 0xc4, 0x28, 0xa2, 0x2e,
    0x6c, 0xec, 0x31, 0x72, 0x2a, 0x5a, 0x6f, 0xcc, 0xcc, 0x6e, 0xce, 0xef, 0x4f, 0x52, 0xa6, 0xac,
    0xc0, 0xf9, 0x33, 0x9a, 0x06, 0x00, 0x01, 0xdc, 0x30, 0x82, 0x01, 0xd8, 0x30, 0x82, 0x01, 0x7f,
    0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x14, 0x58, 0x43, 0xbb, 0x3a, 0xa7, 0x1d, 0xc1, 0xa5, 0x55,
    0xf2, 0xf5, 0x9c, 0xa7, 0xa5, 0x6b, 0x03, 0x52, 0xcc, 0x23, 0x6c, 0x30, 0x0a, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x30, 0x42, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55,
    0x04, 0x06, 0x13, 0x02, 0x55, 0x53, 0x31, 0x16, 0x30, 0x14, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c,
    0x0d, 0x4e, 0x65, 0x74, 0x53, 0x63, 0x6f, 0x70, 0x65, 0x20, 0x54, 0x65, 0x73, 0x74, 0x31, 0x1b,
    0x30, 0x19, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x12, 0x4e, 0x65, 0x74, 0x53, 0x63, 0x6f, 0x70,
    0x65, 0x20, 0x54, 0x65, 0x73, 0x74, 0x20, 0x52, 0x6f, 0x6f, 0x74, 0x30, 0x1e, 0x17, 0x0d, 0x32,
    0x36, 0x31, 0x31, 0x33, 0x30, 0x30, 0x30, 0x30, 0x37, 0x34, 0x36, 0x5a, 0x17, 0x0d, 0x33, 0x36,
    0x31, 0x31, 0x32, 0x37, 0x30, 0x30, 0x30, 0x37, 0x34, 0x36, 0x5a, 0x30, 0x42, 0x31, 0x0b, 0x30,
    0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 0x55, 0x53, 0x31, 0x16, 0x30, 0x14, 0x06, 0x03,
    0x55, 0x04, 0x0a, 0x0c, 0x0d, 0x4e, 0x65, 0x74, 0x53, 0x63, 0x6f, 0x70, 0x65, 0x20, 0x54, 0x65,
    0x73, 0x74, 0x31, 0x1b, 0x30, 0x19, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x12, 0x4e, 0x65, 0x74,
    0x53, 0x63, 0x6f, 0x70, 0x65, 0x20, 0x54, 0x65, 0x73, 0x74, 0x20, 0x52, 0x6f, 0x6f, 0x74, 0x30,
    0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
    0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04, 0x7c, 0xf7, 0x23, 0xed, 0x87, 0xe7,
    0x5d, 0xb6, 0xc8, 0x64, 0xfa, 0x9d, 0xd1, 0x0f, 0x78, 0x56, 0x4a, 0x79, 0xda, 0x0f, 0x4c, 0xc3,
    0xd8, 0x6b, 0x1e, 0x76, 0xf4, 0xbe, 0x01, 0x9c, 0x08, 0x95, 0xf1, 0xd3, 0x09, 0x2b, 0xe8, 0x69,
    0x25, 0x45, 0x15, 0x17, 0xf2, 0x3e, 0x8b, 0x8a, 0x19, 0x90, 0xd9, 0xa0, 0x3e, 0xe8, 0xf7, 0x63,
    0xc9, 0x14, 0x36, 0xde, 0x68, 0x91, 0x0e, 0x11, 0xde, 0xc3, 0xa3, 0x53, 0x30, 0x51, 0x30, 0x1d,
    0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04, 0x16, 0x04, 0x14, 0x0b, 0x36, 0xa2, 0x26, 0xfc, 0x2a, 0x1b,
    0x21, 0x3a, 0x0c, 0xf4, 0xc8, 0x1c, 0x8e, 0xe3, 0x8d, 0xa8, 0x4c, 0x3b, 0xb8, 0x30, 0x1f, 0x06,
    0x03, 0x55, 0x1d, 0x23, 0x04, 0x18, 0x30, 0x16, 0x80, 0x14, 0x0b, 0x36, 0xa2, 0x26, 0xfc, 0x2a,
    0x1b, 0x21, 0x3a, 0x0c, 0xf4, 0xc8, 0x1c, 0x8e, 0xe3, 0x8d, 0xa8, 0x4c, 0x3b, 0xb8, 0x30, 0x0f,
    0x06, 0x03, 0x55, 0x1d, 0x13, 0x01, 0x01, 0xff, 0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff, 0x30,
    0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x03, 0x47, 0x00, 0x30, 0x44,
    0x02, 0x20, 0x69, 0xc4, 0xe4, 0x9f, 0x10, 0xf7, 0x31, 0xa0, 0x6d, 0x23, 0xa4, 0x40, 0xa9, 0x50,
    0x16, 0xd1, 0x06, 0x6f, 0xe2, 0xda, 0xb8, 0x53, 0x95, 0x66, 0x34, 0xbd, 0x60, 0x8c, 0xdb, 0x6c,
    0x5c, 0xf9, 0x02, 0x20, 0x7b, 0x94, 0xb1, 0xb6, 0x1b, 0xb7, 0xdc, 0xd7, 0xbf, 0xe0, 0xc6, 0xad,
    0x91, 0xf1, 0x56, 0xdf, 0x93, 0xee, 0x15, 0x9a, 0x14, 0x42, 0x0c, 0x25, 0x2b, 0x44, 0xe5, 0x58,
    0xc0, 0x3b, 0x44, 0x5d, 0x16, 0x03, 0x03, 0x00, 0x74, 0x0c, 0x00, 0x00, 0x70, 0x03, 0x00, 0x1d,
    0x20, 0xb2, 0x32, 0x3f, 0xa6, 0x8a, 0x07, 0x52, 0x72, 0x5b, 0x1a, 0x07, 0x64, 0x25, 0xec, 0x62,
    0x6f, 0x52, 0x71, 0x1b, 0x0d, 0xa6, 0x2a, 0x29, 0x44, 0xe7, 0xb4, 0xa3, 0x3f, 0x98, 0x66, 0x62,
    0x2c, 0x04, 0x03, 0x00, 0x48, 0x30, 0x46, 0x02, 0x21, 0x00, 0xcc, 0x1e, 0xbe, 0xd3, 0xdc, 0x53,
    0x8c, 0x11, 0xd5, 0x1f, 0x5e, 0x41, 0x3e, 0x24, 0xc3, 0x1a, 0x7f, 0x4f, 0xa1, 0x10, 0x59, 0xfb,
    0xe6, 0xe7, 0xb6, 0xf7, 0xf3, 0x57, 0xc6, 0x13, 0x92, 0x0c, 0x02, 0x21, 0x00, 0xe6, 0xd3, 0xf0,
    0x61, 0x4d, 0x4b, 0x03, 0xce, 0xcc, 0x8c, 0xa8, 0x35, 0x08, 0xf6, 0x27, 0xd4, 0x47, 0x69, 0x74,
    0x2d, 0x95, 0x5a, 0x2f, 0xfb, 0xa9, 0x55, 0x5c, 0x73, 0xf9, 0xba, 0x40, 0x44, 0x16, 0x03, 0x03,
    0x00, 0x04, 0x0e, 0x00, 0x00, 0x00,
};

static const uint8_t t12_cli_fin[93] = {
    0x16, 0x03, 0x03, 0x00, 0x25, 0x10, 0x00, 0x00, 0x21, 0x20, 0x00, 0xef, 0x48, 0x3d, 0x14, 0x11,
    0x15, 0xc7, 0x2a, 0x18, 0x6e, 0x7c, 0x3e, 0xb8, 0xb7, 0xc7, 0x0f, 0x00, 0x0a, 0xc4, 0x13, 0xbc,
    0x46, 0xc6, 0x6d, 0x10, 0x25, 0x61, 0x73, 0x3b, 0x81, 0x2e, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01,
    0x16, 0x03, 0x03, 0x00, 0x28, 0xec, 0xdb, 0x10, 0x2d, 0xd8, 0xb6, 0x0f, 0x50, 0xa7, 0x1b, 0x1f,
    0xdb, 0xf7, 0x8d, 0x8b, 0xf6, 0x01, 0x88, 0xd8, 0x61, 0xf2, 0x3e, 0xe5, 0x3d, 0xf1, 0x88, 0x2e,
    0x10, 0xc1, 0xf0, 0x16, 0x14, 0x57, 0xe9, 0xfe, 0xf5, 0xa6, 0x32, 0x8f, 0x11,
};

static const uint8_t t12_srv_fin[51] = {
    0x14, 0x03, 0x03, 0x00, 0x01, 0x01, 0x16, 0x03, 0x03, 0x00, 0x28, 0x62, 0x0f, 0x44, 0xc6, 0x10,
    0xf8, 0xf0, 0x2f, 0x2d, 0x14, 0xc3, 0x8c, 0xf4, 0x63, 0x75, 0x61, 0xec, 0x2d, 0x7a, 0x3c, 0xa9,
    0x34, 0xb4, 0xac, 0x0e, 0x82, 0x95, 0x0e, 0x58, 0xf0, 0x24, 0xee, 0x15, 0x9e, 0x24, 0xc0, 0x34,
    0xbb, 0x69, 0xc2,
};

static const uint8_t t12_cli_data[48] = {
    0x17, 0x03, 0x03, 0x00, 0x2b, 0xec, 0xdb, 0x10, 0x2d, 0xd8, 0xb6, 0x0f, 0x51, 0x7f, 0x34, 0x56,
    0x94, 0xd9, 0xd6, 0xd5, 0xa2, 0x9e, 0xeb, 0x0b, 0x98, 0x5d, 0xfa, 0x2d, 0x67, 0xf2, 0xc1, 0x3c,
    0x0f, 0xd3, 0xd4, 0x74, 0x74, 0xce, 0x8a, 0xde, 0x82, 0x9f, 0xb6, 0x4d, 0x4e, 0x9b, 0x7f, 0xfb,
};

/* TLS 1.2, resumed with the session id of the above (-sess_in, server -no_ticket) */
static const uint8_t r12_ch[244] = {
    0x16, 0x03, 0x01, 0x00, 0xef, 0x01, 0x00, 0x00, 0xeb, 0x03, 0x03, 0xd1, 0x9c, 0x8d, 0xce, 0x45,
    0xdf, 0x28, 0xab, 0xe7, 0x5b, 0xf2, 0x02, 0xde, 0x2a, 0x23, 0x27, 0x8c, 0xc0, 0x29, 0xa5, 0x20,
    0x77, 0x83, 0xdb, 0x5c, 0x74, 0x67, 0x53, 0x8e, 0xae, 0x82, 0x58, 0x20, 0xdd, 0x1e, 0x50, 0xd4,
    0x7b, 0xaa, 0x80, 0x62, 0xb4, 0x77, 0x8d, 0x7a, 0xb6, 0x0f, 0xd0, 0xdd, 0x7e, 0x8e, 0xf0, 0x43,
    0xa9, 0x03, 0x26, 0xb6, 0x3d, 0xe7, 0xa0, 0xbd, 0x6e, 0x90, 0x80, 0x53, 0x00, 0x38, 0xc0, 0x2c,
    0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa, 0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e,
    0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23, 0xc0, 0x27, 0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14,
    0x00, 0x39, 0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c,
    0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0x6a, 0x00, 0x00, 0x00, 0x14, 0x00, 0x12,
    0x00, 0x00, 0x0f, 0x77, 0x77, 0x77, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63,
    0x6f, 0x6d, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x0c, 0x00, 0x0a,
    0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x00, 0x23, 0x00, 0x00, 0x00, 0x16,
    0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00, 0x28, 0x04, 0x03, 0x05, 0x03,
    0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08, 0x05,
    0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01, 0x03, 0x02, 0x04, 0x02,
    0x05, 0x02, 0x06, 0x02,
};

static const uint8_t r12_srv[141] = {
    0x16, 0x03, 0x03, 0x00, 0x55, 0x02, 0x00, 0x00, 0x51, 0x03, 0x03, 0x2e, 0x84, 0x35, 0x0e, 0xd4,
    0xf4, 0xc9, 0xc1, 0xd6, 0x94, 0x73, 0x30, 0x28, 0x3c, 0x44, 0x8a, 0xf1, 0xff, 0xac, 0x6d, 0xf2,
    0xc3, 0x1b, 0xa3, 0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01, 0x20, 0xdd, 0x1e, 0x50, 0xd4,
    0x7b, 0xaa, 0x80, 0x62, 0xb4, 0x77, 0x8d, 0x7a, 0xb6, 0x0f, 0xd0, 0xdd, 0x7e, 0x8e, 0xf0, 0x43,
    0xa9, 0x03, 0x26, 0xb6, 0x3d, 0xe7, 0xa0, 0xbd, 0x6e, 0x90, 0x80, 0x53, 0xc0, 0x2c, 0x00, 0x00,
    0x09, 0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x17, 0x00, 0x00, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01,
    0x16, 0x03, 0x03, 0x00, 0x28, 0x9e, 0x8b, 0x8a, 0xcf, 0xe8, 0xe1, 0xc3, 0x33, 0x40, 0x54, 0xb4,
    0x4a, 0x99, 0x03, 0xb7, 0x24, 0x86, 0x37, 0xaa, 0x7e, 0x83, 0xf8, 0xa9, 0x63, 0x33, 0xf2, 0x10,
    0x6d, 0x74, 0x88, 0x0e, 0x79, 0x3d, 0x56, 0xfc, 0xfa, 0x6c, 0x29, 0x56, 0xa4,
};

static const uint8_t r12_cli_fin[51] = {
    0x14, 0x03, 0x03, 0x00, 0x01, 0x01, 0x16, 0x03, 0x03, 0x00, 0x28, 0xe6, 0x56, 0x1e, 0xc1, 0x05,
    0x9d, 0xf9, 0x66, 0xa9, 0xb2, 0xb9, 0x3b, 0xd6, 0x2b, 0xe6, 0xa5, 0x07, 0x58, 0xd2, 0x0f, 0x4f,
    0x7a, 0x92, 0xf5, 0x3e, 0x1e, 0x66, 0xfd, 0x5b, 0x96, 0x0d, 0xcb, 0x1c, 0x05, 0xc3, 0x8b, 0x00,
    0x7a, 0xf6, 0x6b,
};

static const uint8_t r12_cli_data[48] = {
    0x17, 0x03, 0x03, 0x00, 0x2b, 0xe6, 0x56, 0x1e, 0xc1, 0x05, 0x9d, 0xf9, 0x67, 0x69, 0x7b, 0x3e,
    0xea, 0xdf, 0x9f, 0x3b, 0xbc, 0x13, 0x96, 0x87, 0x1a, 0x3e, 0xdf, 0x88, 0x82, 0x62, 0xbc, 0xdd,
    0x6a, 0xa2, 0x21, 0xdc, 0xfe, 0x21, 0xfa, 0xa3, 0xe1, 0x97, 0x06, 0xfd, 0x89, 0x1f, 0x28, 0x93,
};

/* TLS 1.3 (openssl s_client default): ClientHello; ServerHello, CCS and the first encrypted record */
static const uint8_t t13_ch[339] = {
    0x16, 0x03, 0x01, 0x01, 0x4e, 0x01, 0x00, 0x01, 0x4a, 0x03, 0x03, 0xbf, 0xc1, 0x67, 0x44, 0xfd,
    0x84, 0x4b, 0x87, 0x0e, 0x33, 0xb2, 0x73, 0x96, 0x0a, 0xb3, 0xff, 0xd6, 0xf0, 0x75, 0xbd, 0x96,
    0x59, 0x49, 0x23, 0xd8, 0x47, 0x70, 0xe8, 0x50, 0xcc, 0xfc, 0x94, 0x20, 0xdb, 0x71, 0x2c, 0x51,
    0x2e, 0x30, 0xec, 0xff, 0x90, 0x7b, 0x43, 0xd6, 0x13, 0x59, 0xa4, 0x4a, 0x1f, 0xfa, 0x1f, 0x27,
    0x34, 0x99, 0x83, 0xbf, 0x0d, 0xec, 0xb7, 0xe3, 0xba, 0x37, 0x4c, 0x9d, 0x00, 0x3e, 0x13, 0x02,
    0x13, 0x03, 0x13, 0x01, 0xc0, 0x2c, 0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa,
    0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23, 0xc0, 0x27,
    0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39, 0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d,
    0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c, 0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0xc3,
    0x00, 0x00, 0x00, 0x14, 0x00, 0x12, 0x00, 0x00, 0x0f, 0x77, 0x77, 0x77, 0x2e, 0x65, 0x78, 0x61,
    0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02,
    0x00, 0x0a, 0x00, 0x16, 0x00, 0x14, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18,
    0x01, 0x00, 0x01, 0x01, 0x01, 0x02, 0x01, 0x03, 0x01, 0x04, 0x00, 0x23, 0x00, 0x00, 0x00, 0x10,
    0x00, 0x0e, 0x00, 0x0c, 0x02, 0x68, 0x32, 0x08, 0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31,
    0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00, 0x28, 0x04, 0x03,
    0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04,
    0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01, 0x03, 0x02,
    0x04, 0x02, 0x05, 0x02, 0x06, 0x02, 0x00, 0x2b, 0x00, 0x09, 0x08, 0x03, 0x04, 0x03, 0x03, 0x03,
    0x02, 0x03, 0x01, 0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, 0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00,
    0x1d, 0x00, 0x20, 0xa5, 0xca, 0x91, 0x02, 0xba, 0x5d, 0x5d, 0x56, 0xa4, 0x23, 0x80, 0x9c, 0xf2,
    0x9e, 0x45, 0x21, 0x4b, 0xc4, 0x19, 0x30, 0xcb, 0x4a, 0xb9, 0x69, 0xa1, 0xea, 0x08, 0xd9, 0x55,
    0xa3, 0xe7, 0x62,
};

/* records in the server flight: [(22, 127), (20, 6), (23, 43), (23, 1017), (23, 100), (23, 74)] */
static const uint8_t t13_srv[176] = {
    0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03, 0x03, 0xda, 0x1e, 0xd9, 0x24, 0x0d,
    0xd4, 0xbb, 0x68, 0x69, 0x63, 0x50, 0xa3, 0x5f, 0x6a, 0xde, 0x5d, 0x91, 0x6b, 0xec, 0xb6, 0xe5,
    0xf4, 0x3c, 0xd7, 0xe1, 0x70, 0x6b, 0x95, 0x58, 0x35, 0x82, 0x82, 0x20, 0xdb, 0x71, 0x2c, 0x51,
    0x2e, 0x30, 0xec, 0xff, 0x90, 0x7b, 0x43, 0xd6, 0x13, 0x59, 0xa4, 0x4a, 0x1f, 0xfa, 0x1f, 0x27,
    0x34, 0x99, 0x83, 0xbf, 0x0d, 0xec, 0xb7, 0xe3, 0xba, 0x37, 0x4c, 0x9d, 0x13, 0x02, 0x00, 0x00,
    0x2e, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 0xd4,
    0xe4, 0x9f, 0x6f, 0x53, 0x0f, 0x57, 0x42, 0x6d, 0x38, 0xbf, 0x3c, 0xf6, 0x5c, 0xc1, 0x7a, 0xb3,
    0x2a, 0x5b, 0xd9, 0x55, 0x17, 0x9d, 0xd6, 0x6d, 0x9a, 0x73, 0x50, 0xbc, 0x7d, 0xac, 0x3c, 0x14,
    0x03, 0x03, 0x00, 0x01, 0x01, 0x17, 0x03, 0x03, 0x00, 0x26, 0x13, 0x04, 0xd0, 0x4a, 0xda, 0xd5,
    0x69, 0xbd, 0x4b, 0x28, 0xc7, 0xba, 0xd8, 0xf3, 0xbf, 0x7c, 0x65, 0x85, 0x76, 0xd3, 0xca, 0xcd,
    0xdf, 0xbc, 0xa4, 0x5c, 0x98, 0xcf, 0x3c, 0x9f, 0xdb, 0x21, 0x53, 0xbb, 0x0b, 0x5c, 0x4d, 0x83,
};


/* The leaf inside t12_srv_flight: record 2 (Certificate) + 5 + 4 + 3 + 3. */
#define LEAF_OFF 128
#define LEAF_LEN 501

static const char t12_ja3[] =
    "771,49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-49187-49191-103-"
    "49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,0-11-10-35-16-22-23-13,"
    "29-23-30-25-24,0-1-2";

/* ---- a driver like the stream layer: per-direction pending bytes ---- */

struct got {
    int ntx;
    struct tls_tx tx;               /* copy at emission */
    char anomalies[2048];
    int nanom;
    char line[65536];
    size_t line_len;
};

static struct got got;
static struct tls_state st;
static uint8_t pend[2][APPL_PENDING_MAX + 65536];
static size_t plen[2];

static struct flow test_flow(void)
{
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.flow_id = 4242;
    f.ip_v = 4;
    f.proto = 6;
    const uint8_t c[4] = { 192, 0, 2, 10 }, s[4] = { 198, 51, 100, 22 };
    memcpy(f.cli, c, 4);
    memcpy(f.srv, s, 4);
    f.cli_port = 51000;
    f.srv_port = 443;
    return f;
}

static void on_tx(void *ctx, const void *txp)
{
    (void)ctx;
    const struct tls_tx *tx = txp;
    got.ntx++;
    got.tx = *tx;
    static struct eve_ctx ec;
    eve_ctx_init(&ec, "tls.pcap", NULL);
    struct flow f = test_flow();
    got.line_len = eve_tls(&ec, got.line, sizeof(got.line) - 1, &f, 1700000000123456ull, 9, 0, tx);
    assert_true(got.line_len > 0);
    got.line[got.line_len] = '\0';
}

static void on_anomaly(void *ctx, const char *ev)
{
    (void)ctx;
    assert_non_null(ev);
    assert_true(ev[0] != '\0');
    got.nanom++;
    size_t l = strlen(got.anomalies);
    snprintf(got.anomalies + l, sizeof(got.anomalies) - l, "%s ", ev);
}

static void reset(void)
{
    memset(&got, 0, sizeof(got));
    tls_state_init(&st);
    plen[0] = plen[1] = 0;
}

static uint64_t gap_bytes;     /* cb.gap of the next APPL_GAP call */

/* One call with what is pending, in a buffer of exactly that size. */
static void call(int d, unsigned flags)
{
    struct appl_cb cb = { .tx = on_tx, .anomaly = on_anomaly, .gap = gap_bytes };
    uint8_t *b = malloc(plen[d] ? plen[d] : 1);
    assert_non_null(b);
    memcpy(b, pend[d], plen[d]);
    size_t u = tls_feed(&st, d == 0, b, plen[d], flags, &cb);
    free(b);
    assert_true(u <= plen[d]);
    memmove(pend[d], pend[d] + u, plen[d] - u);
    plen[d] -= u;
    if (plen[d] > APPL_PENDING_MAX) {   /* the stream layer drops it */
        plen[d] = 0;
        fail_msg("parser left more than APPL_PENDING_MAX pending");
    }
}

/* b[0, n) of one direction, in pieces of step bytes (0: in one piece). */
static void feed(bool toserver, const void *bv, size_t n, size_t step)
{
    const uint8_t *b = bv;
    int d = toserver ? 0 : 1;
    if (step == 0)
        step = n;
    for (size_t i = 0; i < n; i += step) {
        size_t m = n - i < step ? n - i : step;
        memcpy(pend[d] + plen[d], b + i, m);
        plen[d] += m;
        call(d, 0);
    }
}

/* Bytes were lost before b: what is pending goes, the call carries APPL_GAP. */
static void feed_gap(bool toserver, const void *b, size_t n, uint64_t lost)
{
    int d = toserver ? 0 : 1;
    memcpy(pend[d], b, n);
    plen[d] = n;
    gap_bytes = lost;
    call(d, APPL_GAP);
    gap_bytes = 0;
}

static void eof(bool toserver)
{
    call(toserver ? 0 : 1, APPL_EOF);
}

static void eof_both(void)
{
    eof(true);
    eof(false);
}

static const char *fld(const char *s, size_t n)
{
    static char buf[4][2048];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof(buf[k]), "%.*s", (int)n, s);
    return buf[k];
}

/* "a,b" of a [len][bytes] list */
static const char *alpns(const uint8_t *l, size_t n)
{
    static char out[512];
    size_t o = 0;
    for (size_t i = 0; i < n && o < sizeof(out) - 1;) {
        size_t k = l[i++];
        if (o)
            out[o++] = ',';
        for (size_t j = 0; j < k && i < n && o < sizeof(out) - 1; j++)
            out[o++] = (char)l[i++];
    }
    out[o] = '\0';
    return out;
}

static const char *vname(uint16_t v)
{
    static char b[8];
    return tls_version_name(v, b);
}

/* ---- a byte builder for hand-made records, messages and certificates ---- */

struct bld {
    uint8_t b[65536];
    size_t n;
    size_t open_at[16];
    uint8_t open_len[16];
    int depth;
};

static void b8(struct bld *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void b16(struct bld *b, unsigned v) { b8(b, v >> 8); b8(b, v); }
static void b24(struct bld *b, unsigned v) { b8(b, v >> 16); b16(b, v); }
static void bmem(struct bld *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof(b->b));
    memcpy(b->b + b->n, p, n);
    b->n += n;
}
static void bstr(struct bld *b, const char *s) { bmem(b, s, strlen(s)); }

/* A length of lb bytes (1..3), or a DER length (lb 0: 0x82 + 2 bytes),
 * filled in by bclose(). */
static void bopen(struct bld *b, unsigned lb)
{
    b->open_at[b->depth] = b->n;
    b->open_len[b->depth++] = (uint8_t)lb;
    b->n += lb ? lb : 3;
}
static void bclose(struct bld *b)
{
    size_t at = b->open_at[--b->depth];
    unsigned lb = b->open_len[b->depth];
    size_t len = b->n - at - (lb ? lb : 3);
    if (lb == 0) {
        b->b[at] = 0x82;
        b->b[at + 1] = (uint8_t)(len >> 8);
        b->b[at + 2] = (uint8_t)len;
        return;
    }
    for (unsigned i = 0; i < lb; i++)
        b->b[at + i] = (uint8_t)(len >> (8 * (lb - 1 - i)));
}

/* DER: a constructed value (closed by bclose) and a primitive one. */
static void der_open(struct bld *b, unsigned tag) { b8(b, tag); bopen(b, 0); }
static void der_prim(struct bld *b, unsigned tag, const void *p, size_t n)
{
    b8(b, tag);
    if (n < 128) {
        b8(b, (unsigned)n);
    } else {
        b8(b, 0x82);
        b16(b, (unsigned)n);
    }
    bmem(b, p, n);
}

/* Records of at most max payload bytes carrying p[0, n). */
static void records(struct bld *out, uint8_t type, const uint8_t *p, size_t n, size_t max)
{
    size_t i = 0;
    do {
        size_t m = n - i < max ? n - i : max;
        b8(out, type);
        b16(out, 0x0303);
        b16(out, (unsigned)m);
        bmem(out, p + i, m);
        i += m;
    } while (i < n);
}

/* The handshake messages inside a run of handshake records, re-cut into
 * records of at most max bytes. */
static void refragment(struct bld *out, const uint8_t *p, size_t n, size_t max)
{
    static struct bld hs;
    hs.n = 0;
    for (size_t i = 0; i + 5 <= n;) {
        size_t l = (size_t)p[i + 3] << 8 | p[i + 4];
        assert_int_equal(p[i], 22);
        bmem(&hs, p + i + 5, l);
        i += 5 + l;
    }
    records(out, 22, hs.b, hs.n, max);
}

/* A ClientHello handshake message.  ciphers/exts are written as given;
 * exts is the raw extension block (without its length). */
static void client_hello_msg(struct bld *b, uint16_t ver, const uint16_t *cs, size_t nc,
                             const uint8_t *exts, size_t exts_len)
{
    b8(b, 1);
    bopen(b, 3);
    b16(b, ver);
    for (int i = 0; i < 32; i++)
        b8(b, i);
    b8(b, 0);                       /* session id */
    bopen(b, 2);
    for (size_t i = 0; i < nc; i++)
        b16(b, cs[i]);
    bclose(b);
    b8(b, 1);
    b8(b, 0);                       /* compression: null */
    if (exts) {
        bopen(b, 2);
        bmem(b, exts, exts_len);
        bclose(b);
    }
    bclose(b);
}

static void ext_sni(struct bld *e, const char *name, uint8_t type)
{
    b16(e, 0);
    bopen(e, 2);
    bopen(e, 2);
    b8(e, type);
    b16(e, (unsigned)strlen(name));
    bstr(e, name);
    bclose(e);
    bclose(e);
}

/* A ServerHello message. */
static void server_hello_msg(struct bld *b, uint16_t ver, const uint8_t *random, uint16_t cipher,
                             const uint8_t *exts, size_t exts_len)
{
    b8(b, 2);
    bopen(b, 3);
    b16(b, ver);
    if (random)
        bmem(b, random, 32);
    else
        for (int i = 0; i < 32; i++)
            b8(b, 0x40 + i);
    b8(b, 0);
    b16(b, cipher);
    b8(b, 0);
    if (exts) {
        bopen(b, 2);
        bmem(b, exts, exts_len);
        bclose(b);
    }
    bclose(b);
}

/* A Certificate message with one certificate. */
static void certificate_msg(struct bld *b, const uint8_t *der, size_t n)
{
    b8(b, 11);
    bopen(b, 3);
    bopen(b, 3);
    b24(b, (unsigned)n);
    bmem(b, der, n);
    bclose(b);
    bclose(b);
}

/* Client and server streams for a hand-made TLS 1.2 handshake carrying
 * the certificate der[0, n): ClientHello with SNI "hand.example", then
 * ServerHello + Certificate in records of at most max bytes. */
static struct bld hs_cli, hs_srv;
static void hand_made(const uint8_t *der, size_t n, size_t max)
{
    static struct bld m, e;
    static const uint16_t cs[] = { 0xc02f, 0x009c };
    hs_cli.n = hs_srv.n = m.n = e.n = 0;
    ext_sni(&e, "hand.example", 0);
    client_hello_msg(&m, 0x0303, cs, 2, e.b, e.n);
    records(&hs_cli, 22, m.b, m.n, 16384);
    m.n = 0;
    server_hello_msg(&m, 0x0303, NULL, 0xc02f, NULL, 0);
    certificate_msg(&m, der, n);
    records(&hs_srv, 22, m.b, m.n, max);
}

/* ---- certificates built here ---- */

static const uint8_t oid_cn[] = { 0x55, 0x04, 0x03 };
static const uint8_t oid_ou[] = { 0x55, 0x04, 0x0b };
static const uint8_t oid_c[] = { 0x55, 0x04, 0x06 };
static const uint8_t oid_orgid[] = { 0x55, 0x04, 0x61 };          /* 2.5.4.97 */
static const uint8_t oid_serialnumber[] = { 0x55, 0x04, 0x05 };
static const uint8_t oid_email[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 };
static const uint8_t oid_ecdsa_sha256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };
static const uint8_t oid_ec_pub[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };

static void atv(struct bld *b, const uint8_t *oid, size_t oid_len, unsigned vtag,
                const void *v, size_t vlen)
{
    der_open(b, 0x30);
    der_prim(b, 0x06, oid, oid_len);
    der_prim(b, vtag, v, vlen);
    bclose(b);
}

static void rdn1(struct bld *b, const uint8_t *oid, size_t oid_len, unsigned vtag, const char *v)
{
    der_open(b, 0x31);
    atv(b, oid, oid_len, vtag, v, strlen(v));
    bclose(b);
}

struct cert_opts {
    int version;                    /* -1: no [0] field */
    const uint8_t *serial;
    size_t serial_len;
    unsigned nb_tag, na_tag;
    const char *not_before, *not_after;
    void (*subject)(struct bld *b);
    const char *issuer_cn;
    size_t ext_pad;                 /* bytes of an extra extension (a big certificate) */
};

static void subject_default(struct bld *b)
{
    rdn1(b, oid_cn, sizeof(oid_cn), 0x0c, "built.example");
}

/* A certificate with the shape of RFC 5280 (signature not real). */
static void build_cert(struct bld *b, const struct cert_opts *o)
{
    static const uint8_t one = 0x01, sig[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
    static uint8_t pad[20000];
    b->n = 0;
    b->depth = 0;
    der_open(b, 0x30);                          /* Certificate */
    der_open(b, 0x30);                          /* TBSCertificate */
    if (o->version >= 0) {
        der_open(b, 0xa0);
        uint8_t v = (uint8_t)o->version;
        der_prim(b, 0x02, &v, 1);
        bclose(b);
    }
    if (o->serial)
        der_prim(b, 0x02, o->serial, o->serial_len);
    else
        der_prim(b, 0x02, &one, 1);
    der_open(b, 0x30);
    der_prim(b, 0x06, oid_ecdsa_sha256, sizeof(oid_ecdsa_sha256));
    bclose(b);
    der_open(b, 0x30);                          /* issuer */
    rdn1(b, oid_cn, sizeof(oid_cn), 0x13, o->issuer_cn ? o->issuer_cn : "Built CA");
    bclose(b);
    der_open(b, 0x30);                          /* validity */
    const char *nb = o->not_before ? o->not_before : "200101000000Z";
    const char *na = o->not_after ? o->not_after : "300101000000Z";
    der_prim(b, o->nb_tag ? o->nb_tag : 0x17, nb, strlen(nb));
    der_prim(b, o->na_tag ? o->na_tag : 0x17, na, strlen(na));
    bclose(b);
    der_open(b, 0x30);                          /* subject */
    (o->subject ? o->subject : subject_default)(b);
    bclose(b);
    der_open(b, 0x30);                          /* subjectPublicKeyInfo */
    der_open(b, 0x30);
    der_prim(b, 0x06, oid_ec_pub, sizeof(oid_ec_pub));
    bclose(b);
    der_prim(b, 0x03, sig, sizeof(sig));
    bclose(b);
    if (o->ext_pad) {
        der_open(b, 0xa3);
        der_open(b, 0x30);
        der_open(b, 0x30);
        static const uint8_t oid_comment[] = { 0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x01, 0x0d };
        der_prim(b, 0x06, oid_comment, sizeof(oid_comment));
        memset(pad, 'x', sizeof(pad));
        der_prim(b, 0x04, pad, o->ext_pad);
        bclose(b);
        bclose(b);
        bclose(b);
    }
    bclose(b);                                  /* TBSCertificate */
    der_open(b, 0x30);
    der_prim(b, 0x06, oid_ecdsa_sha256, sizeof(oid_ecdsa_sha256));
    bclose(b);
    der_prim(b, 0x03, sig, sizeof(sig));
    bclose(b);                                  /* Certificate */
}

/* ---- tests ---- */

static void check_t12(const struct tls_tx *tx)
{
    assert_true(tx->client_hello);
    assert_true(tx->server_hello);
    assert_int_equal(tx->version, 0x0303);
    assert_string_equal(vname(tx->version), "TLS 1.2");
    assert_int_equal(tx->cipher, 0xc02c);
    assert_true(tx->has_sni);
    assert_string_equal(fld(tx->sni, tx->sni_len), "www.example.com");
    assert_true(tx->has_cert);
    assert_string_equal(fld(tx->cert.subject, tx->cert.subject_len),
                        "C=US, ST=California, O=Example, CN=www.example.com");
    assert_string_equal(fld(tx->cert.issuer, tx->cert.issuer_len),
                        "C=US, O=NetScope Test, CN=NetScope Test Root");
    assert_string_equal(fld(tx->cert.serial, tx->cert.serial_len), "00:A1:B2:C3:D4:E5:F6:07:18");
    assert_string_equal(tx->fingerprint, "a0:97:ac:0c:b7:e0:a1:d0:e6:5a:6d:5d:89:0b:b1:11:2c:5b:cf:44");
    assert_int_equal(tx->cert.not_before, 1468972800);
    assert_int_equal(tx->cert.not_after, 2556187200LL);
    assert_true(tx->has_ja3);
    assert_string_equal(fld(tx->ja3, tx->ja3_len), t12_ja3);
    assert_string_equal(tx->ja3_hash, "22558766122974704364c9c75c5cce0a");
    assert_false(tx->ja3_trunc);
    assert_true(tx->has_ja3s);
    assert_string_equal(fld(tx->ja3s, tx->ja3s_len), "771,49196,65281-11-16-23");
    assert_string_equal(tx->ja3s_hash, "405adaa88faa24941b8a00ebff13546a");
    assert_true(tx->has_ja4);
    assert_string_equal(tx->ja4, "t12d2808h2_d943125447b4_e7e480e5a997");
    assert_string_equal(alpns(tx->client_alpns, tx->client_alpns_len), "h2,http/1.1");
    assert_string_equal(alpns(tx->server_alpns, tx->server_alpns_len), "http/1.1");
    assert_false(tx->session_resumed);
    assert_false(tx->cert_too_large);
}

static void tls12_full(void **state)
{
    (void)state;
    static const size_t steps[] = { 0, 1, 3, 7, 64, 1000 };
    for (size_t k = 0; k < NS_ARRAY_LEN(steps); k++) {
        reset();
        feed(true, t12_ch, sizeof(t12_ch), steps[k]);
        assert_int_equal(got.ntx, 0);
        feed(false, t12_srv_flight, sizeof(t12_srv_flight), steps[k]);
        assert_int_equal(got.ntx, 1);       /* the leaf certificate is in */
        feed(true, t12_cli_fin, sizeof(t12_cli_fin), steps[k]);
        feed(false, t12_srv_fin, sizeof(t12_srv_fin), steps[k]);
        feed(true, t12_cli_data, sizeof(t12_cli_data), steps[k]);
        eof_both();
        assert_int_equal(got.ntx, 1);
        assert_int_equal(got.nanom, 0);
        assert_int_equal(plen[0] + plen[1], 0);
        check_t12(&got.tx);
    }
    const char *want =
        "\"tx_id\":0,\"tls\":{\"subject\":\"C=US, ST=California, O=Example, CN=www.example.com\","
        "\"issuerdn\":\"C=US, O=NetScope Test, CN=NetScope Test Root\","
        "\"serial\":\"00:A1:B2:C3:D4:E5:F6:07:18\","
        "\"fingerprint\":\"a0:97:ac:0c:b7:e0:a1:d0:e6:5a:6d:5d:89:0b:b1:11:2c:5b:cf:44\","
        "\"sni\":\"www.example.com\",\"version\":\"TLS 1.2\","
        "\"notbefore\":\"2016-07-20T00:00:00\",\"notafter\":\"2051-01-01T12:00:00\","
        "\"ja3\":{\"hash\":\"22558766122974704364c9c75c5cce0a\",\"string\":\"";
    assert_non_null(strstr(got.line, want));
    assert_non_null(strstr(got.line,
        "\"ja3s\":{\"hash\":\"405adaa88faa24941b8a00ebff13546a\",\"string\":\"771,49196,65281-11-16-23\"},"
        "\"ja4\":\"t12d2808h2_d943125447b4_e7e480e5a997\","
        "\"client_alpns\":[\"h2\",\"http/1.1\"],\"server_alpns\":[\"http/1.1\"]}}\n"));
    assert_non_null(strstr(got.line, "\"event_type\":\"tls\""));
    assert_null(strstr(got.line, "session_resumed"));
    test_schema_ok(got.line);
}

static void tls12_resumed(void **state)
{
    (void)state;
    static const size_t steps[] = { 0, 1, 5 };
    for (size_t k = 0; k < NS_ARRAY_LEN(steps); k++) {
        reset();
        feed(true, r12_ch, sizeof(r12_ch), steps[k]);
        feed(false, r12_srv, sizeof(r12_srv), steps[k]);
        feed(true, r12_cli_fin, sizeof(r12_cli_fin), steps[k]);
        assert_int_equal(got.ntx, 0);       /* no certificate: wait for data */
        feed(true, r12_cli_data, sizeof(r12_cli_data), steps[k]);
        assert_int_equal(got.ntx, 1);
        eof_both();
        assert_int_equal(got.ntx, 1);
        assert_int_equal(got.nanom, 0);
        const struct tls_tx *tx = &got.tx;
        assert_true(tx->session_resumed);
        assert_false(tx->has_cert);
        assert_string_equal(vname(tx->version), "TLS 1.2");
        assert_string_equal(tx->ja3_hash, "871a754af286dfb70c1b53c6887c62e0");
        assert_string_equal(fld(tx->ja3s, tx->ja3s_len), "771,49196,65281-23");
        assert_string_equal(tx->ja3s_hash, "f14f2862ee2df5d0f63a88b60c8eee56");
        assert_string_equal(tx->ja4, "t12d280700_d943125447b4_e7e480e5a997");
        assert_int_equal(tx->client_alpns_len, 0);
    }
    assert_non_null(strstr(got.line, "\"tls\":{\"session_resumed\":true,\"sni\":\"www.example.com\","
                                     "\"version\":\"TLS 1.2\",\"ja3\":{"));
    assert_null(strstr(got.line, "subject"));
    assert_null(strstr(got.line, "alpns"));
    test_schema_ok(got.line);
}

static void tls13(void **state)
{
    (void)state;
    static const size_t steps[] = { 0, 1, 2, 13 };
    for (size_t k = 0; k < NS_ARRAY_LEN(steps); k++) {
        reset();
        feed(true, t13_ch, sizeof(t13_ch), steps[k]);
        feed(false, t13_srv, 127 + 6, steps[k]);     /* ServerHello, CCS */
        assert_int_equal(got.ntx, 0);
        feed(false, t13_srv + 133, sizeof(t13_srv) - 133, steps[k]);
        assert_int_equal(got.ntx, 1);       /* encrypted flight after the ServerHello */
        assert_int_equal(got.nanom, 0);
        const struct tls_tx *tx = &got.tx;
        assert_int_equal(tx->version, 0x0304);
        assert_string_equal(vname(tx->version), "TLS 1.3");
        assert_int_equal(tx->cipher, 0x1302);
        assert_false(tx->has_cert);
        assert_false(tx->session_resumed);
        assert_string_equal(fld(tx->sni, tx->sni_len), "www.example.com");
        assert_string_equal(tx->ja3_hash, "5a1edc7f170af1014fc65c994878e63c");
        assert_string_equal(fld(tx->ja3s, tx->ja3s_len), "771,4866,43-51");
        assert_string_equal(tx->ja3s_hash, "15af977ce25de452b96affa2addb1036");
        assert_string_equal(tx->ja4, "t13d3111h2_e8f1e7e78f70_1f22a2ca17c4");
        assert_string_equal(alpns(tx->client_alpns, tx->client_alpns_len), "h2,http/1.1");
        assert_int_equal(tx->server_alpns_len, 0);  /* in EncryptedExtensions */
    }
    test_schema_ok(got.line);
}

static void client_hello_only(void **state)
{
    (void)state;
    reset();
    feed(true, t12_ch, sizeof(t12_ch), 0);
    eof(true);
    assert_int_equal(got.ntx, 0);
    eof(false);
    assert_int_equal(got.ntx, 1);
    assert_false(got.tx.server_hello);
    assert_string_equal(vname(got.tx.version), "TLS 1.2");
    assert_null(strstr(got.line, "ja3s"));
    test_schema_ok(got.line);

    /* the client's version is its supported_versions choice */
    reset();
    feed(true, t13_ch, sizeof(t13_ch), 0);
    eof_both();
    assert_int_equal(got.ntx, 1);
    assert_string_equal(vname(got.tx.version), "TLS 1.3");

    /* nothing readable: no transaction */
    reset();
    eof_both();
    assert_int_equal(got.ntx, 0);
    reset();
    feed(true, t12_cli_data, sizeof(t12_cli_data), 0);
    feed(false, t12_srv_fin, sizeof(t12_srv_fin), 0);
    eof_both();
    assert_int_equal(got.ntx, 0);
    assert_int_equal(got.nanom, 0);
}

static void record_errors(void **state)
{
    (void)state;
    struct appl_cb cb = { .tx = on_tx, .anomaly = on_anomaly };
    static const uint8_t bad_type[] = { 0x42, 0x03, 0x03, 0x00, 0x01, 0x00, 0x16, 0x03 };
    reset();
    assert_int_equal(tls_feed(&st, true, bad_type, sizeof(bad_type), 0, &cb), sizeof(bad_type));
    assert_string_equal(got.anomalies, "INVALID_RECORD_TYPE ");
    /* the rest of the direction is ignored, the other still parsed */
    assert_int_equal(tls_feed(&st, true, t12_ch, sizeof(t12_ch), 0, &cb), sizeof(t12_ch));
    feed(false, t12_srv_flight, sizeof(t12_srv_flight), 0);
    assert_int_equal(got.nanom, 1);
    assert_int_equal(got.ntx, 1);
    assert_false(got.tx.client_hello);
    assert_true(got.tx.has_cert);

    static const uint8_t bad_ver[] = { 0x16, 0x02, 0x00, 0x00, 0x01, 0x00 };
    reset();
    feed(true, bad_ver, sizeof(bad_ver), 0);
    assert_string_equal(got.anomalies, "INVALID_RECORD_VERSION ");

    static const uint8_t too_long[] = { 0x17, 0x03, 0x03, 0x48, 0x01 };   /* 18433 */
    reset();
    feed(false, too_long, sizeof(too_long), 0);
    assert_string_equal(got.anomalies, "INVALID_RECORD_LENGTH ");

    static const uint8_t max_len[] = { 0x17, 0x03, 0x03, 0x48, 0x00 };    /* 18432: fine */
    reset();
    feed(false, max_len, sizeof(max_len), 0);
    assert_int_equal(got.nanom, 0);
    assert_int_equal(plen[1], 0);

    /* a partial header is left pending, consumed at EOF */
    reset();
    assert_int_equal(tls_feed(&st, true, t12_ch, 4, 0, &cb), 0);
    assert_int_equal(tls_feed(&st, true, t12_ch, 4, APPL_EOF, &cb), 4);
    assert_int_equal(got.nanom, 0);

    /* heartbeat records are skipped */
    static const uint8_t hb[] = { 0x18, 0x03, 0x03, 0x00, 0x03, 0x01, 0x00, 0x00 };
    reset();
    feed(true, hb, sizeof(hb), 0);
    feed(true, t12_ch, sizeof(t12_ch), 0);
    eof_both();
    assert_int_equal(got.nanom, 0);
    assert_int_equal(got.ntx, 1);
}

static void handshake_errors(void **state)
{
    (void)state;
    static struct bld m, r, e;
    static const uint16_t cs[] = { 0x002f };

    /* an unknown handshake type stops handshake parsing in that direction */
    static const uint8_t unknown[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 0x63, 0x00, 0x00, 0x00 };
    reset();
    feed(true, unknown, sizeof(unknown), 0);
    feed(true, t12_ch, sizeof(t12_ch), 0);
    eof_both();
    assert_string_equal(got.anomalies, "INVALID_HANDSHAKE_MESSAGE ");
    assert_int_equal(got.ntx, 0);

    /* a ClientHello cut short */
    static const uint8_t short_ch[] = { 0x16, 0x03, 0x01, 0x00, 0x0e, 0x01, 0x00, 0x00, 0x0a,
                                        0x03, 0x03, 1, 2, 3, 4, 5, 6, 7, 8 };
    reset();
    feed(true, short_ch, sizeof(short_ch), 0);
    eof_both();
    assert_string_equal(got.anomalies, "HANDSHAKE_INVALID_LENGTH ");
    assert_int_equal(got.ntx, 0);

    /* an empty ClientHello */
    static const uint8_t empty_ch[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00 };
    reset();
    feed(true, empty_ch, sizeof(empty_ch), 0);
    assert_string_equal(got.anomalies, "HANDSHAKE_INVALID_LENGTH ");

    /* odd cipher suite length */
    m.n = r.n = 0;
    b8(&m, 1);
    bopen(&m, 3);
    b16(&m, 0x0303);
    for (int i = 0; i < 32; i++)
        b8(&m, 0);
    b8(&m, 0);
    b16(&m, 1);
    b8(&m, 0x2f);
    b8(&m, 1);
    b8(&m, 0);
    bclose(&m);
    records(&r, 22, m.b, m.n, 16384);
    reset();
    feed(true, r.b, r.n, 0);
    assert_string_equal(got.anomalies, "HANDSHAKE_INVALID_LENGTH ");

    /* SNI: wrong name type, empty name, two extensions (the first kept) */
    struct { uint8_t type; const char *name; bool twice; const char *anom; const char *sni; } c[] = {
        { 1, "x.example", false, "INVALID_SNI_TYPE ", NULL },
        { 0, "", false, "INVALID_SNI_LENGTH ", NULL },
        { 0, "one.example", true, "MULTIPLE_SNI_EXTENSIONS ", "one.example" },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(c); i++) {
        e.n = m.n = r.n = 0;
        ext_sni(&e, c[i].name, c[i].type);
        if (c[i].twice)
            ext_sni(&e, "two.example", 0);
        client_hello_msg(&m, 0x0303, cs, 1, e.b, e.n);
        records(&r, 22, m.b, m.n, 16384);
        reset();
        feed(true, r.b, r.n, 0);
        eof_both();
        assert_string_equal(got.anomalies, c[i].anom);
        assert_int_equal(got.ntx, 1);
        assert_int_equal(got.tx.has_sni, c[i].sni != NULL);
        if (c[i].sni)
            assert_string_equal(fld(got.tx.sni, got.tx.sni_len), c[i].sni);
    }

    /* extension lengths that overrun: the whole extensions before are kept */
    e.n = m.n = r.n = 0;
    b16(&e, 23);
    b16(&e, 0);
    b16(&e, 0xff01);
    b16(&e, 1);
    b8(&e, 0);
    b16(&e, 13);
    b16(&e, 40);                    /* 40 bytes claimed, 2 there */
    b16(&e, 0x0403);
    client_hello_msg(&m, 0x0303, cs, 1, e.b, e.n);
    records(&r, 22, m.b, m.n, 16384);
    reset();
    feed(true, r.b, r.n, 0);
    eof_both();
    assert_string_equal(got.anomalies, "HANDSHAKE_INVALID_LENGTH ");
    assert_string_equal(fld(got.tx.ja3, got.tx.ja3_len), "771,47,23-65281,,");
    assert_int_equal(got.tx.ja3_len, strlen("771,47,23-65281,,"));
    test_schema_ok(got.line);
}

static void certificate_errors(void **state)
{
    (void)state;
    static uint8_t der[LEAF_LEN];
    static struct bld m, r;

    /* the real leaf, hand-made handshake around it */
    hand_made(t12_srv_flight + LEAF_OFF, LEAF_LEN, 16384);
    reset();
    feed(true, hs_cli.b, hs_cli.n, 0);
    feed(false, hs_srv.b, hs_srv.n, 0);
    assert_int_equal(got.ntx, 1);
    assert_int_equal(got.nanom, 0);
    assert_string_equal(fld(got.tx.sni, got.tx.sni_len), "hand.example");
    assert_string_equal(fld(got.tx.cert.serial, got.tx.cert.serial_len), "00:A1:B2:C3:D4:E5:F6:07:18");

    /* a broken validity date: named, the rest logged at the end */
    memcpy(der, t12_srv_flight + LEAF_OFF, LEAF_LEN);
    uint8_t *t = memmem(der, LEAF_LEN, "160720000000Z", 13);
    assert_non_null(t);
    t[2] = '1';
    t[3] = '3';                     /* month 13 */
    hand_made(der, LEAF_LEN, 16384);
    reset();
    feed(true, hs_cli.b, hs_cli.n, 0);
    feed(false, hs_srv.b, hs_srv.n, 0);
    assert_int_equal(got.ntx, 0);
    eof_both();
    assert_int_equal(got.ntx, 1);
    assert_string_equal(got.anomalies, "CERTIFICATE_INVALID_DATE ");
    assert_false(got.tx.has_cert);
    assert_true(got.tx.server_hello);
    assert_false(got.tx.session_resumed);
    assert_null(strstr(got.line, "subject"));
    assert_non_null(strstr(got.line, "\"sni\":\"hand.example\""));
    test_schema_ok(got.line);

    /* garbage where the certificate should be */
    memset(der, 0x30, sizeof(der));
    hand_made(der, 40, 16384);
    reset();
    feed(true, hs_cli.b, hs_cli.n, 0);
    feed(false, hs_srv.b, hs_srv.n, 0);
    eof_both();
    assert_string_equal(got.anomalies, "CERTIFICATE_INVALID_DER ");

    /* list length that does not match the message */
    m.n = r.n = 0;
    server_hello_msg(&m, 0x0303, NULL, 0x002f, NULL, 0);
    b8(&m, 11);
    b24(&m, 10);
    b24(&m, 9);                     /* should be 7 */
    b24(&m, 4);
    b8(&m, 0x30); b8(&m, 0x02); b8(&m, 0x05); b8(&m, 0x00);
    records(&r, 22, m.b, m.n, 16384);
    reset();
    feed(true, hs_cli.b, hs_cli.n, 0);
    feed(false, r.b, r.n, 0);
    eof_both();
    assert_string_equal(got.anomalies, "INVALID_CERTIFICATE ");
    assert_int_equal(got.ntx, 1);

    /* an empty certificate list: nothing to say */
    m.n = r.n = 0;
    server_hello_msg(&m, 0x0303, NULL, 0x002f, NULL, 0);
    b8(&m, 11);
    b24(&m, 3);
    b24(&m, 0);
    records(&r, 22, m.b, m.n, 16384);
    reset();
    feed(true, hs_cli.b, hs_cli.n, 0);
    feed(false, r.b, r.n, 0);
    eof_both();
    assert_int_equal(got.nanom, 0);
    assert_false(got.tx.has_cert);
}

static void fragmented(void **state)
{
    (void)state;
    static struct bld c, s;
    /* handshake messages cut into records of 1, 50 and 600 bytes */
    static const size_t max[] = { 1, 50, 600 };
    for (size_t k = 0; k < NS_ARRAY_LEN(max); k++) {
        c.n = s.n = 0;
        refragment(&c, t12_ch, sizeof(t12_ch), max[k]);
        refragment(&s, t12_srv_flight, sizeof(t12_srv_flight), max[k]);
        for (size_t step = 0; step < 40; step += 13) {
            reset();
            feed(true, c.b, c.n, step);
            feed(false, s.b, s.n, step);
            assert_int_equal(got.ntx, 1);
            assert_int_equal(got.nanom, 0);
            check_t12(&got.tx);
        }
    }
}

static void big_certificate(void **state)
{
    (void)state;
    static struct bld b;
    struct cert_opts o = { .version = 2, .ext_pad = 13000 };
    build_cert(&b, &o);
    assert_true(b.n > TLS_HS_BUF);

    /* in one record it is read in place */
    hand_made(b.b, b.n, 16384);
    reset();
    feed(true, hs_cli.b, hs_cli.n, 0);
    feed(false, hs_srv.b, hs_srv.n, 0);
    assert_int_equal(got.ntx, 1);
    assert_int_equal(got.nanom, 0);
    assert_true(got.tx.has_cert);
    assert_string_equal(fld(got.tx.cert.subject, got.tx.cert.subject_len), "CN=built.example");

    /* split across records it would need more than TLS_HS_BUF: left out */
    hand_made(b.b, b.n, 4000);
    reset();
    feed(true, hs_cli.b, hs_cli.n, 0);
    feed(false, hs_srv.b, hs_srv.n, 0);
    assert_int_equal(got.ntx, 0);
    eof_both();
    assert_int_equal(got.ntx, 1);
    assert_int_equal(got.nanom, 0);
    assert_false(got.tx.has_cert);
    assert_true(got.tx.cert_too_large);
    assert_false(got.tx.session_resumed);   /* a Certificate message was sent */

    /* the first certificate is read before the rest of the chain is in */
    static struct bld m, r;
    m.n = r.n = 0;
    server_hello_msg(&m, 0x0303, NULL, 0x002f, NULL, 0);
    b8(&m, 11);
    bopen(&m, 3);
    bopen(&m, 3);
    b24(&m, LEAF_LEN);
    bmem(&m, t12_srv_flight + LEAF_OFF, LEAF_LEN);
    for (int i = 0; i < 4; i++) {   /* 4 more of 3000 bytes each */
        b24(&m, 3000);
        for (int j = 0; j < 3000; j++)
            b8(&m, 0x5a);
    }
    bclose(&m);
    bclose(&m);
    records(&r, 22, m.b, m.n, 1000);
    reset();
    feed(true, hs_cli.b, hs_cli.n, 0);
    feed(false, r.b, 2200, 0);      /* the leaf ends before byte 2200 */
    assert_int_equal(got.ntx, 1);
    assert_true(got.tx.has_cert);
    feed(false, r.b + 2200, r.n - 2200, 0);
    assert_int_equal(got.nanom, 0);
}

static void fp_limits(void **state)
{
    (void)state;
    static struct bld m, r, e;
    static uint16_t cs[600];
    static char full[8192];
    /* 600 ciphers (GREASE among them), 120 extensions, GREASE groups */
    size_t o = (size_t)snprintf(full, sizeof(full), "771,");
    size_t nreal = 0;
    for (int i = 0; i < 600; i++) {
        cs[i] = i % 100 == 5 ? 0x2a2a : (uint16_t)(0x0100 + i);
        if (cs[i] != 0x2a2a)
            o += (size_t)snprintf(full + o, sizeof(full) - o, "%s%u", nreal++ ? "-" : "", cs[i]);
    }
    o += (size_t)snprintf(full + o, sizeof(full) - o, ",");
    e.n = 0;
    b16(&e, 0x1a1a);                /* GREASE extension: not counted */
    b16(&e, 0);
    b16(&e, 10);
    b16(&e, 8);
    b16(&e, 6);
    b16(&e, 0xdada);
    b16(&e, 29);
    b16(&e, 23);
    o += (size_t)snprintf(full + o, sizeof(full) - o, "10");
    for (int i = 0; i < 119; i++) {
        b16(&e, 1000 + i);
        b16(&e, 0);
        o += (size_t)snprintf(full + o, sizeof(full) - o, "-%d", 1000 + i);
    }
    o += (size_t)snprintf(full + o, sizeof(full) - o, ",29-23,");
    m.n = r.n = 0;
    client_hello_msg(&m, 0x0303, cs, 600, e.b, e.n);
    records(&r, 22, m.b, m.n, 16384);
    reset();
    feed(true, r.b, r.n, 0);
    eof_both();
    assert_int_equal(got.nanom, 0);
    const struct tls_tx *tx = &got.tx;
    assert_true(tx->ja3_trunc);
    assert_int_equal(tx->ja3_len, TLS_JA3_MAX);
    assert_memory_equal(tx->ja3, full, TLS_JA3_MAX);
    uint8_t md[16];
    MD5((const uint8_t *)full, strlen(full), md);
    char hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    assert_string_equal(tx->ja3_hash, hex);

    /* ja4: counts capped at 99, the hashes over all (sorted already) */
    assert_memory_equal(tx->ja4, "t12i999900_", 11);
    SHA256_CTX sha;
    SHA256_Init(&sha);
    bool first = true;
    for (int i = 0; i < 600; i++) {
        if (cs[i] == 0x2a2a)
            continue;
        char h[8];
        snprintf(h, sizeof(h), "%s%04x", first ? "" : ",", cs[i]);
        SHA256_Update(&sha, h, strlen(h));
        first = false;
    }
    uint8_t d[32];
    SHA256_Final(d, &sha);
    for (int i = 0; i < 6; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    assert_memory_equal(tx->ja4 + 11, hex, 12);
    test_schema_ok(got.line);
}

/* A ServerHello that is a HelloRetryRequest, then the real one. */
static void hello_retry(void **state)
{
    (void)state;
    static const uint8_t hrr_random[32] = {
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    };
    static const uint8_t ext_hrr[] = { 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x02, 0x00, 0x17 };
    static const uint8_t ext_sh[] = { 0x00, 0x33, 0x00, 0x02, 0x00, 0x17, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04 };
    static const uint8_t ccs[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };
    static const uint8_t appdata[] = { 0x17, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb };
    static struct bld m, r;
    m.n = r.n = 0;
    server_hello_msg(&m, 0x0303, hrr_random, 0x1301, ext_hrr, sizeof(ext_hrr));
    records(&r, 22, m.b, m.n, 16384);
    bmem(&r, ccs, sizeof(ccs));
    size_t first_flight = r.n;
    m.n = 0;
    server_hello_msg(&m, 0x0303, NULL, 0x1301, ext_sh, sizeof(ext_sh));
    records(&r, 22, m.b, m.n, 16384);
    bmem(&r, appdata, sizeof(appdata));
    reset();
    feed(true, t13_ch, sizeof(t13_ch), 0);
    feed(false, r.b, first_flight, 0);
    assert_int_equal(got.ntx, 0);
    feed(true, ccs, sizeof(ccs), 0);
    feed(true, t13_ch, sizeof(t13_ch), 0);      /* the second ClientHello adds nothing */
    feed(false, r.b + first_flight, r.n - first_flight, 0);
    assert_int_equal(got.ntx, 1);
    assert_int_equal(got.nanom, 0);
    assert_true(got.tx.server_hello);
    assert_string_equal(vname(got.tx.version), "TLS 1.3");
    assert_string_equal(fld(got.tx.ja3s, got.tx.ja3s_len), "771,4865,43-51");   /* the HRR's */
}

static void gap_resync(void **state)
{
    (void)state;
    reset();
    feed(true, t12_ch, sizeof(t12_ch), 0);
    feed(false, t12_srv_flight, 113, 0);            /* the ServerHello record */
    feed_gap(false, t12_srv_flight + 300, sizeof(t12_srv_flight) - 300, 0);
    assert_int_equal(got.ntx, 0);
    feed(false, t12_srv_fin, sizeof(t12_srv_fin), 0);
    feed(true, t12_cli_fin, sizeof(t12_cli_fin), 0);
    feed(true, t12_cli_data, sizeof(t12_cli_data), 0);
    assert_int_equal(got.ntx, 1);                   /* application data after the ServerHello */
    assert_int_equal(got.nanom, 0);
    assert_true(got.tx.server_hello);
    assert_false(got.tx.has_cert);
    assert_false(got.tx.session_resumed);

    /* a gap in the client direction before anything was read */
    reset();
    feed_gap(true, t12_ch + 10, sizeof(t12_ch) - 10, 0);
    feed(true, t12_cli_fin, sizeof(t12_cli_fin), 0);
    feed(false, t12_srv_flight, sizeof(t12_srv_flight), 0);
    assert_int_equal(got.ntx, 1);
    assert_false(got.tx.client_hello);
    assert_true(got.tx.has_cert);

    /* a loss of known length inside the Certificate record: the leaf is
     * lost, the messages after it are still followed, no resync needed */
    reset();
    feed(true, t12_ch, sizeof(t12_ch), 0);
    feed(false, t12_srv_flight, 500, 0);
    feed_gap(false, t12_srv_flight + 700, sizeof(t12_srv_flight) - 700, 200);
    assert_int_equal(got.ntx, 0);
    assert_false(st.dir[1].hs_off);
    assert_false(st.dir[1].resync);
    feed(false, t12_srv_fin, sizeof(t12_srv_fin), 0);
    feed(true, t12_cli_fin, sizeof(t12_cli_fin), 0);
    feed(true, t12_cli_data, sizeof(t12_cli_data), 0);
    assert_int_equal(got.ntx, 1);
    assert_int_equal(got.nanom, 0);
    assert_false(got.tx.has_cert);
    assert_false(got.tx.session_resumed);

    /* a known loss up to the record's end takes the message boundary */
    reset();
    feed(true, t12_ch, sizeof(t12_ch), 0);
    feed(false, t12_srv_flight, 500, 0);
    feed_gap(false, t12_srv_flight + 1108, sizeof(t12_srv_flight) - 1108, 608);
    assert_true(st.dir[1].hs_off);
    assert_false(st.dir[1].resync);
    assert_int_equal(got.nanom, 0);

    /* a known loss running past the record: resynchronised on the next header */
    reset();
    feed(true, t12_ch, sizeof(t12_ch), 0);
    feed(false, t12_srv_flight, 500, 0);
    feed_gap(false, t12_srv_flight + 1200, sizeof(t12_srv_flight) - 1200, 700);
    assert_true(st.dir[1].hs_off);
    assert_false(st.dir[1].resync);     /* found the ServerHelloDone record */
    assert_int_equal(plen[1], 0);
    feed(false, t12_srv_fin, sizeof(t12_srv_fin), 0);
    feed(false, t12_cli_data, sizeof(t12_cli_data), 0);
    assert_int_equal(got.ntx, 1);
    assert_int_equal(got.nanom, 0);
}

static void sslv2_hello(void **state)
{
    (void)state;
    /* SSLv2-compatible ClientHello (RFC 6101 E.1), version 3.1, 3 ciphers */
    static const uint8_t v2[] = {
        0x80, 0x22, 0x01, 0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10,
        0x00, 0x00, 0x04, 0x00, 0x00, 0x05, 0x00, 0x00, 0x2f,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    };
    reset();
    feed(true, v2, sizeof(v2), 0);
    feed(false, t12_srv_flight, sizeof(t12_srv_flight), 0);
    feed(true, t12_cli_fin, sizeof(t12_cli_fin), 0);
    assert_int_equal(got.nanom, 0);
    assert_int_equal(got.ntx, 1);
    assert_false(got.tx.client_hello);
    assert_false(got.tx.has_ja3);
    assert_true(got.tx.has_cert);
    assert_null(strstr(got.line, "\"ja3\""));
    test_schema_ok(got.line);
}

static void x509_fields(void **state)
{
    (void)state;
    static struct x509_leaf l;
    static struct bld b;
    assert_int_equal(x509_parse(t12_srv_flight + LEAF_OFF, LEAF_LEN, &l), X509_ERR_OK);
    assert_string_equal(fld(l.subject, l.subject_len), "C=US, ST=California, O=Example, CN=www.example.com");

    /* every prefix of a good certificate is an error, read inside its bytes */
    for (size_t n = 0; n < LEAF_LEN; n++) {
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, t12_srv_flight + LEAF_OFF, n);
        assert_int_not_equal(x509_parse(p, n, &l), X509_ERR_OK);
        free(p);
    }
    /* and so is a byte more */
    uint8_t *p = malloc(LEAF_LEN + 1);
    memcpy(p, t12_srv_flight + LEAF_OFF, LEAF_LEN);
    p[LEAF_LEN] = 0;
    assert_int_equal(x509_parse(p, LEAF_LEN + 1, &l), X509_ERR_INVALID_DER);
    free(p);

    /* the built certificate's defaults */
    struct cert_opts o = { .version = 2 };
    build_cert(&b, &o);
    assert_int_equal(x509_parse(b.b, b.n, &l), X509_ERR_OK);
    assert_string_equal(fld(l.subject, l.subject_len), "CN=built.example");
    assert_string_equal(fld(l.issuer, l.issuer_len), "CN=Built CA");
    assert_string_equal(fld(l.serial, l.serial_len), "01");
    assert_int_equal(l.not_before, 1577836800);     /* 2020-01-01 */
}

static void subject_mixed(struct bld *b)
{
    static const uint8_t bmp[] = { 0x00, 'B', 0x00, 0xe9, 0xd8, 0x3d, 0xde, 0x00 };  /* "Bé😀" */
    static const uint8_t num[] = { 0x01, 0x02, 0xab };
    rdn1(b, oid_c, sizeof(oid_c), 0x13, "DE");
    der_open(b, 0x31);
    atv(b, oid_cn, sizeof(oid_cn), 0x0c, "a", 1);
    atv(b, oid_ou, sizeof(oid_ou), 0x1e, bmp, sizeof(bmp));
    bclose(b);
    rdn1(b, oid_orgid, sizeof(oid_orgid), 0x0c, "VATDE-123");
    der_open(b, 0x31);
    atv(b, oid_serialnumber, sizeof(oid_serialnumber), 0x04, num, sizeof(num));
    bclose(b);
    rdn1(b, oid_email, sizeof(oid_email), 0x16, "a@b.example");
}

static void subject_bad_utf8(struct bld *b)
{
    rdn1(b, oid_cn, sizeof(oid_cn), 0x0c, "caf\xc3");
}

static void subject_long(struct bld *b)
{
    static char v[700];
    for (size_t i = 0; i + 2 < sizeof(v); i += 2)
        memcpy(v + i, "\xc3\xa9", 2);       /* é, two bytes each */
    v[sizeof(v) - 2] = '\0';
    rdn1(b, oid_cn, sizeof(oid_cn), 0x0c, v);
}

static void x509_names_times(void **state)
{
    (void)state;
    static struct x509_leaf l;
    static struct bld b;
    char t[X509_TIME_TEXT];

    struct cert_opts o = { .version = 2, .subject = subject_mixed, .not_before = "691231000000Z",
                           .na_tag = 0x18, .not_after = "20510101120000Z" };
    static const uint8_t serial[] = { 0x00, 0x97, 0xe6 };
    o.serial = serial;
    o.serial_len = sizeof(serial);
    build_cert(&b, &o);
    assert_int_equal(x509_parse(b.b, b.n, &l), X509_ERR_OK);
    assert_string_equal(fld(l.subject, l.subject_len),
                        "C=DE, CN=a + OU=B\xc3\xa9\xf0\x9f\x98\x80, OID(2.5.4.97)=VATDE-123, "
                        "serialNumber=0102AB, Email=a@b.example");
    assert_string_equal(fld(l.serial, l.serial_len), "00:97:E6");
    assert_int_equal(l.not_before, -86400);
    x509_format_time(l.not_before, t);
    assert_string_equal(t, "1969-12-31T00:00:00");
    x509_format_time(l.not_after, t);
    assert_string_equal(t, "2051-01-01T12:00:00");

    /* times: offsets, no seconds, fractions; bad ones */
    struct { unsigned tag; const char *s; int64_t want; } ok[] = {
        { 0x17, "491231235959Z", 2524607999LL },
        { 0x17, "5001010000Z", -631152000LL },
        { 0x17, "200101000000+0100", 1577833200LL },
        { 0x18, "20200101000000.123Z", 1577836800LL },
        { 0x18, "20000229120000Z", 951825600LL },
    };
    for (size_t i = 0; i < NS_ARRAY_LEN(ok); i++) {
        struct cert_opts q = { .version = 2, .nb_tag = ok[i].tag, .not_before = ok[i].s };
        build_cert(&b, &q);
        assert_int_equal(x509_parse(b.b, b.n, &l), X509_ERR_OK);
        assert_int_equal(l.not_before, ok[i].want);
    }
    const char *bad[] = { "201301000000Z", "200230000000Z", "19000229000000Z", "2001010000", "200101000000",
                          "20010100000xZ", "200101240000Z", "" };
    for (size_t i = 0; i < NS_ARRAY_LEN(bad); i++) {
        struct cert_opts q = { .version = 2, .not_before = bad[i] };
        if (strlen(bad[i]) == 15)
            q.nb_tag = 0x18;
        build_cert(&b, &q);
        assert_int_equal(x509_parse(b.b, b.n, &l), X509_ERR_INVALID_DATE);
    }

    /* structure errors, named */
    struct cert_opts v = { .version = 7 };
    build_cert(&b, &v);
    assert_int_equal(x509_parse(b.b, b.n, &l), X509_ERR_INVALID_VERSION);
    struct cert_opts v1 = { .version = -1 };
    build_cert(&b, &v1);
    assert_int_equal(x509_parse(b.b, b.n, &l), X509_ERR_OK);
    struct cert_opts s0 = { .version = 2, .serial = (const uint8_t *)"", .serial_len = 0 };
    build_cert(&b, &s0);
    assert_int_equal(x509_parse(b.b, b.n, &l), X509_ERR_INVALID_SERIAL);
    struct cert_opts u = { .version = 2, .subject = subject_bad_utf8 };
    build_cert(&b, &u);
    assert_int_equal(x509_parse(b.b, b.n, &l), X509_ERR_INVALID_SUBJECT);
    assert_string_equal(x509_err_name(X509_ERR_INVALID_SUBJECT), "CERTIFICATE_INVALID_SUBJECT");

    /* a long subject is cut at a character boundary */
    struct cert_opts lo = { .version = 2, .subject = subject_long };
    build_cert(&b, &lo);
    assert_int_equal(x509_parse(b.b, b.n, &l), X509_ERR_OK);
    assert_true(l.subject_trunc);
    assert_true(l.subject_len <= X509_NAME_MAX);
    assert_int_equal(l.subject_len % 2, 1);         /* "CN=" + whole "é"s */
    assert_memory_equal(l.subject + l.subject_len - 2, "\xc3\xa9", 2);

    /* a serial longer than X509_SERIAL_MAX bytes */
    static uint8_t big[80];
    memset(big, 0x11, sizeof(big));
    struct cert_opts bs = { .version = 2, .serial = big, .serial_len = sizeof(big) };
    build_cert(&b, &bs);
    assert_int_equal(x509_parse(b.b, b.n, &l), X509_ERR_OK);
    assert_true(l.serial_trunc);
    assert_int_equal(l.serial_len, X509_SERIAL_MAX * 3 - 1);

    x509_format_time(0, t);
    assert_string_equal(t, "1970-01-01T00:00:00");
    x509_format_time(-62167219200LL - 5, t);
    assert_string_equal(t, "0000-01-01T00:00:00");
}

static void names(void **state)
{
    (void)state;
    assert_string_equal(vname(0), "UNDETERMINED");
    assert_string_equal(vname(0x0300), "SSLv3");
    assert_string_equal(vname(0x0301), "TLSv1");
    assert_string_equal(vname(0x0302), "TLS 1.1");
    assert_string_equal(vname(0x0304), "TLS 1.3");
    assert_string_equal(vname(0x7f12), "TLS 1.3 draft-18");
    assert_string_equal(vname(0x7f1c), "TLS 1.3 draft-28");
    assert_string_equal(vname(0x7f01), "TLS 1.3 draft-<16");
    assert_string_equal(vname(0xfb1a), "TLS 1.3 draft-26-fb");
    assert_string_equal(vname(0x0305), "773");
    assert_string_equal(vname(65535), "65535");
    assert_string_equal(tls_event_name(TLS_EV_INVALID_RECORD_TYPE), "INVALID_RECORD_TYPE");
    assert_string_equal(tls_event_name(TLS_EV_CERTIFICATE_INVALID_ISSUER), "CERTIFICATE_INVALID_ISSUER");
    assert_string_equal(tls_event_name(TLS_EV_MAX), "unknown");
    for (unsigned e = X509_ERR_INVALID_DER; e < X509_ERR_MAX; e++)
        assert_string_equal(tls_event_name(TLS_EV_CERTIFICATE_INVALID_DER + (e - X509_ERR_INVALID_DER)),
                            x509_err_name(e));
    assert_true(sizeof(struct tls_state) <= APPL_STATE_MAX);
}

/* Bit flips and random cuts of the real handshakes: no crash, no read
 * outside the bytes given, at most one transaction. */
static void mutations(void **state)
{
    (void)state;
    static uint8_t c[sizeof(t12_ch) + sizeof(t12_cli_fin)], s[sizeof(t12_srv_flight) + sizeof(t12_srv_fin)];
    uint32_t rnd = 12345;
    int nrec = 0;
    for (int it = 0; it < 3000; it++) {
        memcpy(c, t12_ch, sizeof(t12_ch));
        memcpy(c + sizeof(t12_ch), t12_cli_fin, sizeof(t12_cli_fin));
        memcpy(s, t12_srv_flight, sizeof(t12_srv_flight));
        memcpy(s + sizeof(t12_srv_flight), t12_srv_fin, sizeof(t12_srv_fin));
        for (int k = 0; k < 1 + it % 4; k++) {
            rnd = rnd * 1103515245u + 12345u;
            size_t pos = (rnd >> 8) % (sizeof(c) + sizeof(s));
            uint8_t v = (uint8_t)(rnd >> 3);
            if (pos < sizeof(c))
                c[pos] ^= v ? v : 1;
            else
                s[pos - sizeof(c)] ^= v ? v : 1;
        }
        rnd = rnd * 1103515245u + 12345u;
        size_t step = 1 + (rnd >> 16) % 300;
        reset();
        feed(true, c, sizeof(t12_ch), step);
        feed(false, s, sizeof(s), step);
        feed(true, c + sizeof(t12_ch), sizeof(t12_cli_fin), step);
        eof_both();
        assert_true(got.ntx <= 1);
        if (got.ntx) {
            assert_true(got.line_len > 0);
            nrec++;
            if (nrec % 500 == 1)
                test_schema_ok(got.line);
        }
    }
    assert_true(nrec > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tls12_full),
        cmocka_unit_test(tls12_resumed),
        cmocka_unit_test(tls13),
        cmocka_unit_test(client_hello_only),
        cmocka_unit_test(record_errors),
        cmocka_unit_test(handshake_errors),
        cmocka_unit_test(certificate_errors),
        cmocka_unit_test(fragmented),
        cmocka_unit_test(big_certificate),
        cmocka_unit_test(fp_limits),
        cmocka_unit_test(hello_retry),
        cmocka_unit_test(gap_resync),
        cmocka_unit_test(sslv2_hello),
        cmocka_unit_test(x509_fields),
        cmocka_unit_test(x509_names_times),
        cmocka_unit_test(names),
        cmocka_unit_test(mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
