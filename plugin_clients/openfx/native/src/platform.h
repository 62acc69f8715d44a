/* What differs between POSIX (Linux, macOS) and Windows: the clock, sockets, handover files,
 * mapped files and folder listings. platform_posix.c and platform_win32.c implement it; the rest
 * of the plug-in uses only this, so it has no #ifdefs. */
#ifndef SPARKVSR_PLATFORM_H
#define SPARKVSR_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

double sv_now_s(void); /* a monotonic clock */
void sv_sleep_ms(int ms);

/* ---- Sockets (non-blocking TCP) ------------------------------------------------------------ */

typedef intptr_t SvSocket; /* a file descriptor, or a Winsock SOCKET */
#define SV_NO_SOCKET ((SvSocket)-1)

typedef enum {
    SV_NET_OK = 0,
    SV_NET_WOULD_BLOCK, /* nothing to do yet: wait and try again */
    SV_NET_CLOSED,      /* the peer closed the connection (recv only) */
    SV_NET_ERROR        /* see *error */
} SvNetResult;

/* Starts a non-blocking connection to a numeric IPv4 address: SV_NET_OK (connected),
 * SV_NET_WOULD_BLOCK (in progress: wait for writing, then sv_socket_connect_error) or
 * SV_NET_ERROR. */
SvNetResult sv_socket_connect(const char *host, int port, SvSocket *out, int *error);
/* The outcome of a connection in progress once writable: 0 or the system's error code. */
int sv_socket_connect_error(SvSocket s);
/* Waits up to `timeout_ms` for `s` to be readable (or writable): 1 ready, 0 not yet,
 * -1 failed (*error set). */
int sv_socket_wait(SvSocket s, int for_write, int timeout_ms, int *error);
SvNetResult sv_socket_send(SvSocket s, const char *data, size_t len, size_t *sent, int *error);
SvNetResult sv_socket_recv(SvSocket s, char *data, size_t len, size_t *got, int *error);
void sv_socket_close(SvSocket s);
int sv_net_refused(int error); /* whether `error` says nothing listens at the address */
void sv_net_describe(int error, char *out, size_t len);

/* ---- Files ------------------------------------------------------------------------------------ */

/* Creates a new, uniquely named handover file, readable by other users (a server may run as
 * another user): in memory where the system has such a folder (/dev/shm), else the temporary
 * folder. Writes its path; returns an open descriptor, or -1. */
int sv_handover_create(char *path, size_t len);
/* Removes this user's handover files, in the folder sv_handover_create uses, last written over
 * `older_than_s` seconds ago: those a crashed host left (a live one is never that old). */
void sv_handover_sweep(int older_than_s);
int sv_file_write(int fd, const void *data, size_t len); /* 1 if every byte was written */
void sv_file_close(int fd);
void sv_file_remove(const char *path);

/* A read-only view of part of a file. */
typedef struct SvMapping {
    void *base; /* where the view starts (aligned as the system needs) */
    size_t length;
} SvMapping;

/* Maps `length` bytes at `offset` of the file at `path`; returns a pointer to them, or NULL
 * with the reason in `why` (the file missing, unreadable or shorter than offset + length). */
void *sv_map_file(const char *path, size_t offset, size_t length, SvMapping *out, char *why,
                  size_t why_len);
void sv_unmap_file(SvMapping *mapping);

/* ---- Folders --------------------------------------------------------------------------------- */

typedef struct SvDir SvDir;
SvDir *sv_dir_open(const char *path);
const char *sv_dir_next(SvDir *dir); /* the next entry's name, NULL at the end */
void sv_dir_close(SvDir *dir);

#endif
