// An ordinary administration session, built as events: ssh login, sudo, package installs,
// builds, editing files in a home directory, running a test suite, a plain container. The
// default rules must not raise a single alert on any of it.
import { expect, test } from 'vitest';
import type { Event } from '../../schemas/types.generated.js';
import { createEngine } from '../index.js';
import { type Actor, connection, withArgs, exec, open, openRead, openWrite, pathCall } from './event-builder.js';
import { defaultRuleFiles } from './index.js';

const alice: Partial<Actor> = { user: 'alice', uid: 1000, loginuid: 1000 };
const session = ['bash', 'sshd alice@pts/0', 'sshd', 'systemd'];
const shell: Partial<Actor> = { ...alice, tty: 34816, ancestors: session, cwd: '/home/alice' };
const rootShell: Partial<Actor> = { tty: 34816, loginuid: 1000, ancestors: ['bash', 'sudo -i', ...session] };
const apt = ['apt-get install -y htop build-essential', 'bash', 'sudo -i', ...session];
const dpkgScript = (pkg: string) => [`sh /var/lib/dpkg/info/${pkg}.postinst configure`, 'dpkg --configure -a', ...apt];
const make = ['make -j2', 'bash', ...session];

const corpus: Record<string, Event> = {
  // ssh login
  'sshd accepts the connection': connection({ cmd: 'sshd -D', ancestors: ['systemd'] }, 'accept', '198.51.100.20', 22),
  'sshd reads its host key': openRead({ cmd: 'sshd -D -R', runningFor: 0.1, ancestors: ['sshd -D', 'systemd'] }, '/etc/ssh/ssh_host_ed25519_key'),
  'sshd checks the password': openRead({ cmd: 'sshd alice [priv]', ancestors: ['sshd -D', 'systemd'] }, '/etc/shadow'),
  'sshd reads PAM policy': openRead({ cmd: 'sshd alice [priv]', ancestors: ['sshd -D', 'systemd'] }, '/etc/pam.d/sshd'),
  'PAM helper checks the password': openRead({ cmd: 'unix_chkpwd alice nullok', ...alice, ancestors: ['sshd alice [priv]', 'sshd'] }, '/etc/shadow'),
  'sshd records the login': open({ cmd: 'sshd alice [priv]', ancestors: ['sshd -D'] }, '/var/log/wtmp', 'O_WRONLY|O_APPEND'),
  'sshd updates lastlog': open({ cmd: 'sshd alice [priv]', ancestors: ['sshd -D'] }, '/var/log/lastlog', 'O_RDWR'),
  'sshd drops to the user': withArgs({ cmd: 'sshd alice [priv]', ancestors: ['sshd -D'] }, 'setuid', { uid: '1000' }),
  'motd scripts run': exec({ cmd: 'uname -snrvm', ...alice, ancestors: ['sh /etc/update-motd.d/10-uname', 'run-parts --lsbsysinit /etc/update-motd.d', 'sshd alice [priv]', 'sshd'] }),
  'login shell starts': exec({ cmd: 'bash', ...alice, tty: 34816, ancestors: ['sshd alice@pts/0', 'sshd', 'systemd'] }),
  'bash reads .bashrc': openRead({ cmd: 'bash', ...shell }, '/home/alice/.bashrc'),
  'id in the prompt': exec({ cmd: 'id -un', ...shell }),
  // sudo
  'sudo runs': exec({ cmd: 'sudo -i', ...shell }),
  'sudo reads sudoers': openRead({ cmd: 'sudo -i', ...shell }, '/etc/sudoers'),
  'sudo reads sudoers.d': openRead({ cmd: 'sudo -i', ...shell }, '/etc/sudoers.d/90-admins'),
  'sudo becomes root': withArgs({ cmd: 'sudo -i', ...shell }, 'setuid', { uid: '0' }),
  'root shell': exec({ cmd: 'bash', ...rootShell, ancestors: ['sudo -i', ...session] }),
  'root shell history': open({ cmd: 'bash', ...rootShell }, '/root/.bash_history', 'O_WRONLY|O_APPEND'),
  'root edits with vim: viminfo': openWrite({ cmd: 'vim /home/alice/todo', ...rootShell }, '/root/.viminfo'),
  // package installs
  'apt-get downloads': connection({ cmd: 'http', ancestors: apt }, 'connect', '151.101.2.132', 80),
  'dpkg unpacks a binary': openWrite({ cmd: 'dpkg --unpack htop.deb', ancestors: apt }, '/usr/bin/htop.dpkg-new'),
  'dpkg renames it into place': pathCall({ cmd: 'dpkg --unpack htop.deb', ancestors: apt }, 'rename', { oldpath: '/usr/bin/htop.dpkg-new', newpath: '/usr/bin/htop' }),
  'dpkg unpacks a library': openWrite({ cmd: 'dpkg --unpack libc6.deb', ancestors: apt }, '/usr/lib/x86_64-linux-gnu/libncursesw.so.6.4.dpkg-new'),
  'dpkg writes a configuration file': openWrite({ cmd: 'dpkg --unpack htop.deb', ancestors: apt }, '/etc/htoprc.dpkg-new'),
  'postinst: update-alternatives': pathCall({ cmd: 'update-alternatives --install /usr/bin/cc cc /usr/bin/gcc 20', ancestors: dpkgScript('gcc') }, 'symlinkat', { target: '/etc/alternatives/cc', linkdirfd: 'AT_FDCWD', linkpath: '/usr/bin/cc.dpkg-tmp' }),
  'postinst: ldconfig': openWrite({ cmd: 'ldconfig', ancestors: dpkgScript('libc-bin') }, '/etc/ld.so.cache~'),
  'postinst: adduser': exec({ cmd: 'useradd --system --home-dir /nonexistent _htop', ancestors: ['adduser --system _htop', ...dpkgScript('htop')] }),
  'postinst: useradd writes /etc/passwd': openWrite({ cmd: 'useradd --system _htop', ancestors: ['adduser', ...dpkgScript('htop')] }, '/etc/passwd+'),
  'postinst: sed edits configuration': openWrite({ cmd: 'sed -i s/a/b/ /etc/default/htop', ancestors: dpkgScript('htop') }, '/etc/default/sedx1Y2z3'),
  'postinst: initramfs': openWrite({ cmd: 'mkinitramfs -o /boot/initrd.img-6.1.0-18-amd64.new', ancestors: ['update-initramf -u', ...dpkgScript('initramfs-tools')] }, '/boot/initrd.img-6.1.0-18-amd64.new'),
  'pip installs as root': openWrite({ cmd: 'pip install requests', ancestors: ['bash', 'sudo -i', ...session] }, '/usr/local/lib/python3.11/dist-packages/requests/api.py'),
  'pip installs a script': openWrite({ cmd: 'pip install black', ancestors: ['bash', 'sudo -i', ...session] }, '/usr/local/bin/black'),
  'pip --user in a home directory': openWrite({ cmd: 'pip install --user rich', ...shell }, '/home/alice/.local/lib/python3.11/site-packages/rich/__init__.py'),
  'npm install in a project': openWrite({ cmd: 'node /usr/bin/npm install', ...shell }, '/home/alice/proj/node_modules/vitest/package.json'),
  'npm fetches packages': connection({ cmd: 'node /usr/bin/npm install', ...shell }, 'connect', '104.16.2.35', 443),
  'npm -g installs into /usr/local/lib': openWrite({ cmd: 'node /usr/local/bin/npm install -g typescript', ancestors: ['bash', 'sudo -i', ...session] }, '/usr/local/lib/node_modules/typescript/package.json'),
  // builds
  'make runs a recipe through sh': exec({ cmd: 'sh -c cc -O2 -c main.c -o build/main.o', ...alice, ancestors: make }),
  'the compiler writes a temporary file': openWrite({ cmd: 'cc1 main.c -o /tmp/ccA1b2C3.s', ...alice, ancestors: ['cc -O2 -c main.c', 'sh -c cc', ...make] }, '/tmp/ccA1b2C3.s'),
  'the compiler reads system headers': openRead({ cmd: 'cc1 main.c', ...alice, ancestors: ['cc', ...make] }, '/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h'),
  'the linker writes the binary': openWrite({ cmd: 'ld -o build/app build/main.o', ...alice, ancestors: ['collect2', 'cc', ...make] }, '/home/alice/proj/build/app'),
  'the built binary runs': exec({ cmd: 'app --version', exe: './build/app', exepath: '/home/alice/proj/build/app', ...shell }),
  'git pulls over ssh': exec({ cmd: 'ssh git@github.com git-upload-pack alice/proj.git', ...alice, ancestors: ['git pull', ...session] }),
  'ssh uses the user key': openRead({ cmd: 'ssh git@github.com', ...alice, ancestors: ['git pull', ...session] }, '/home/alice/.ssh/id_ed25519'),
  'ssh records the host key': open({ cmd: 'ssh git@github.com', ...alice, ancestors: ['git pull', ...session] }, '/home/alice/.ssh/known_hosts', 'O_WRONLY|O_CREAT|O_APPEND'),
  'ssh connects': connection({ cmd: 'ssh git@github.com', ...alice, ancestors: ['git pull', ...session] }, 'connect', '140.82.121.4', 22),
  // editing files in a home directory
  'vim writes a file': openWrite({ cmd: 'vim notes.md', ...shell }, '/home/alice/notes.md'),
  'vim swap file': open({ cmd: 'vim notes.md', ...shell }, '/home/alice/.notes.md.swp', 'O_RDWR|O_CREAT|O_EXCL'),
  'vim renames its backup': pathCall({ cmd: 'vim notes.md', ...shell }, 'rename', { oldpath: '/home/alice/notes.md', newpath: '/home/alice/notes.md~' }),
  'vim removes its backup': pathCall({ cmd: 'vim notes.md', ...shell }, 'unlink', { path: '/home/alice/notes.md~' }),
  'mkdir in home': pathCall({ cmd: 'mkdir -p /home/alice/proj/docs', ...shell }, 'mkdirat', { dirfd: 'AT_FDCWD', path: '/home/alice/proj/docs', mode: '0755' }),
  'bash saves history': pathCall({ cmd: 'bash', ...shell }, 'rename', { oldpath: '/home/alice/.bash_history-4242.tmp', newpath: '/home/alice/.bash_history' }),
  'output redirected to /dev/null': openWrite({ cmd: 'bash', ...shell }, '/dev/null'),
  // running a test suite
  'npm test starts node': exec({ cmd: 'node /home/alice/proj/node_modules/.bin/vitest run', ...alice, ancestors: ['sh -c vitest run', 'npm test', ...session] }),
  'pytest writes bytecode caches': openWrite({ cmd: 'python3 -m pytest', ...shell }, '/home/alice/proj/tests/__pycache__/test_x.cpython-311-pytest-8.0.0.pyc'),
  'multiprocessing semaphore': open({ cmd: 'python3 -m pytest', ...shell }, '/dev/shm/sem.mp-4fk2', 'O_RDWR|O_CREAT|O_EXCL'),
  'tests connect to a local database': connection({ cmd: 'python3 -m pytest', ...shell }, 'connect', '127.0.0.1', 5432),
  'tests read fixtures with cat': openRead({ cmd: 'cat tests/fixtures/a.json', ...alice, ancestors: ['sh -c cat', 'python3 -m pytest', ...session] }, '/home/alice/proj/tests/fixtures/a.json'),
  'tests use a temporary directory': openWrite({ cmd: 'python3 -m pytest', ...shell }, '/tmp/pytest-of-alice/pytest-3/test_a0/out.txt'),
  // ordinary inspection
  'reading the system log': openRead({ cmd: 'tail -f /var/log/syslog', ...rootShell }, '/var/log/syslog'),
  'listing /etc': openRead({ cmd: 'ls -la /etc', ...shell }, '/etc'),
  'reading /etc/passwd': openRead({ cmd: 'getent passwd alice', ...shell }, '/etc/passwd'),
  'systemctl status': exec({ cmd: 'systemctl status nginx', ...rootShell }),
  // a plain container
  'container starts nginx': exec({ cmd: 'nginx -g daemon off;', vpid: 1, ancestors: ['containerd-shim -namespace moby', 'systemd'],
    container: { id: '9b1c2d3e4f50', image: 'docker.io/library/nginx:1.27', mounts: [['/var/lib/docker/containers/9b1c/hosts', '/etc/hosts'], ['/srv/www', '/usr/share/nginx/html']] } }),
  'nginx in the container accepts a request': connection({ cmd: 'nginx', ancestors: ['nginx'], container: { id: '9b1c2d3e4f50' } }, 'accept', '172.17.0.1', 80),
};

const engine = createEngine({ files: defaultRuleFiles(), match: 'all' });

test.each(Object.entries(corpus))('no alert: %s', (_label, event) => {
  expect(engine.judge(event).map((a) => `${a.rule}: ${a.output}`)).toEqual([]);
});
