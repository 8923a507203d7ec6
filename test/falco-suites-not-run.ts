// The one table of Falco regression cases that test/falco-suites.test.ts does not run in full,
// with the reason. Three kinds:
//   NOT_RUN     the case is not run at all (shown as skipped, with the reason, in the test report)
//   PARTLY_RUN  detection and load expectations are asserted; the named part is not
//   DIFFERS     the case runs and Saker's result differs from Falco's; the test asserts that it
//               still differs, so an entry that Saker starts to pass fails until removed
// Keys are `<suite file>#<case>`. The load-side details (messages, warning lists) are checked by
// rules/falco-suites-load.test.ts, whose known differences live in rules/known-differences.ts.

const T010 = 'falco-0.10.0-tests/falco_tests.yaml';
const TR010 = 'falco-0.10.0-tests/falco_traces.yaml.in';
const T2023 = 'falco-2023-tests/falco_tests.yaml';
const X2023 = 'falco-2023-tests/falco_tests_exceptions.yaml';
const TR2023 = 'falco-2023-tests/falco_traces.yaml.in';

const MISSING_CAPTURE = 'its capture (traces-positive/ or traces-negative/) is not part of the conformance data';
const POSITIVE_TRACES = [
  'change-thread-namespace', 'container-privileged', 'container-sensitive-mount', 'create-files-below-dev',
  'db-program-spawned-process', 'falco-event-generator', 'mkdir-binary-dirs', 'modify-binary-dirs', 'non-sudo-setuid',
  'read-sensitive-file-after-startup', 'read-sensitive-file-untrusted', 'run-shell-untrusted',
  'system-binaries-network-activity', 'system-user-interactive', 'user-mgmt-binaries', 'write-binary-dir', 'write-etc',
  'write-rpm-database',
];
const DROPS = 'tests falco.yaml syscall_event_drops (kernel ring-buffer drop accounting of a live capture): no Saker equivalent in a replay';

export const NOT_RUN: Record<string, string> = {
  [`${T010}#docker_package`]: 'packaging test: runs the sysdig/falco docker image with rules mounted at /host/',
  [`${T010}#docker_package_local_driver`]: 'packaging test: live capture for 5 s in the docker image, loading the kernel module',
  [`${T010}#detect_counts`]: MISSING_CAPTURE,
  [`${T2023}#detect_counts`]: MISSING_CAPTURE,
  ...Object.fromEntries(POSITIVE_TRACES.flatMap((n) => [[`${TR010}#${n}`, MISSING_CAPTURE], [`${TR2023}#${n}`, MISSING_CAPTURE]])),
  [`${TR2023}#docker-compose`]: MISSING_CAPTURE,
  [`${T2023}#grpc_unix_socket_outputs`]: "Falco's gRPC output server on a live capture (run_duration); Saker has no gRPC output",
  [`${T2023}#monitor_syscall_drops_none`]: DROPS,
  [`${T2023}#monitor_syscall_drops_ignore`]: DROPS,
  [`${T2023}#monitor_syscall_drops_ignore_and_log`]: DROPS,
  [`${T2023}#monitor_syscall_drops_threshold_oor`]: DROPS,
  [`${T2023}#monitor_syscall_drops_threshold_neg`]: DROPS,
  [`${T2023}#monitor_syscall_drops_log`]: DROPS,
  [`${T2023}#monitor_syscall_drops_alert`]: DROPS,
  [`${T2023}#monitor_syscall_drops_exit`]: DROPS,
};

const JSON_OPTS = "json_output options (Falco's JSON alert layout: output/tags properties) are output formatting, not asserted here";
const STRICT = 'output_strictly_contains: the expected output files (output_files/) are not in the conformance data; ISO 8601 time option not asserted';

export const PARTLY_RUN: Record<string, string> = {
  [`${T010}#debian_package`]: 'the .deb install part; the detection part (same as rule_names_with_spaces) is asserted',
  [`${T2023}#test_warnings`]: "rules_events (Falco's debug listing of each rule's event types) not asserted",
  [`${T010}#file_output`]: 'outputs: the content of the file output channel (falco.yaml) not asserted; sinks/ tests the file sink',
  [`${T010}#program_output`]: 'outputs: the content of the program output channel (falco.yaml) not asserted',
  [`${T010}#json_output_no_output_property`]: JSON_OPTS,
  [`${T2023}#json_output_no_output_property`]: JSON_OPTS,
  [`${T2023}#json_output_no_tags_property`]: JSON_OPTS,
  [`${T2023}#json_output_empty_tags_property`]: JSON_OPTS,
  [`${T2023}#stdout_output_strict`]: STRICT,
  [`${T2023}#stdout_output_json_strict`]: STRICT,
  [`${T2023}#file_output_strict`]: STRICT,
  [`${T2023}#program_output_strict`]: STRICT,
  [`${T2023}#time_iso_8601`]: "stdout/stderr with Falco's ISO 8601 time option (time_iso_8601) not asserted",
};

export const DIFFERS: Record<string, string> = {
  [`${T010}#test_warnings`]: 'event-type warnings follow the modern resolver (rules/known-differences.ts); rules_events not asserted',
  [`${T010}#builtin_rules_no_warnings`]: 'event-type warnings follow the modern resolver (rules/known-differences.ts)',
  [`${T2023}#syscalls`]: "no warning for detect_madvise: madvise is an ordinary event type in Saker (rules/known-differences.ts)",
};
