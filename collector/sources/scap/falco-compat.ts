// Falco 0.10's event selection when reading a capture without -A: libsinsp's simple-consumer
// mode dropped every event whose event-table entry, or for generic syscall events whose syscall
// table entry, carried EF_DROP_FALCO (libs driver/event_table.c and userspace/libscap/
// syscall_info_table.c as of March 2018). Dropped events were not parsed either, so they
// changed no state. Listed by Falco's evt.type names. The socket calls sendto, recvfrom,
// sendmsg and recvmsg have their own (kept) event types; only their generic forms on other
// architectures were dropped, so they are not listed.
export const FALCO_0_10_SKIPPED: ReadonlySet<string> = new Set(`
close read write send recv shutdown sendmmsg recvmmsg eventfd futex stat lstat fstat stat64
lstat64 fstat64 epoll_wait poll select lseek llseek readv writev preadv pwritev
nanosleep timerfd_create switch fcntl mmap mmap2 munmap sendfile procinfo getdents getdents64
ppoll page_fault
gettimeofday settimeofday statfs fstatfs setitimer getitimer wait4 sched_yield epoll_create
epoll_ctl timer_create timer_settime timer_gettime timer_getoverrun timer_delete clock_settime
clock_gettime clock_getres clock_nanosleep ioprio_set ioprio_get pselect6 splice tee epoll_pwait
timerfd_settime timerfd_gettime epoll_create1 statfs64 fstatfs64 fstatat64 sendfile64 fcntl64
pread64 pwrite64
`.trim().split(/\s+/));
