# bash completion for seal, unseal and seal-keygen (installed by make install
# as completions/seal, unseal and seal-keygen in bash-completion's directory).
# Options, and files of the kind each option takes: *.pub or a directory
# for recipients and trusted senders (OpenSSH's id_rsa.pub too), *.key
# and id_rsa for private keys, directories
# for inboxes and the like, *.seal for unseal's input.

_seal_files() # _seal_files PATTERN...: files matching a PATTERN, and directories
{
    local IFS=$'\n' p
    COMPREPLY=($(compgen -d -- "$cur"))
    for p in "$@"; do
        COMPREPLY+=($(compgen -f -X "!$p" -- "$cur"))
    done
    compopt -o filenames 2>/dev/null
}

_seal_dirs()
{
    local IFS=$'\n'
    COMPREPLY=($(compgen -d -- "$cur"))
    compopt -o filenames 2>/dev/null
}

_seal_any_file()
{
    local IFS=$'\n'
    COMPREPLY=($(compgen -f -- "$cur"))
    compopt -o filenames 2>/dev/null
}

_seal_complete()
{
    local cur prev opts
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    case ${COMP_WORDS[0]##*/} in
    seal)
        opts="-r --recipient -R --recipients-file -s --sender --passphrase-file
              -a --armor -o --output -f --force --no-fsync --to --listen
              --retry-for --wait --chat -h --help -V --version"
        case $prev in
        -r | --recipient) _seal_files '*.pub'; return ;;
        -s | --sender) _seal_files '*.key' id_rsa; return ;;
        -R | --recipients-file | --passphrase-file | -o | --output) _seal_any_file; return ;;
        --to | --listen | --retry-for | --wait) return ;;
        esac
        ;;
    unseal)
        opts="-k --key -s --sender --passphrase-file -o --output -f --force
              --no-fsync -q --quiet --inspect --json --listen --from -d --inbox
              --keep-sealed --max-size --max-connections --idle-timeout --max-time
              --min-free --max-age --max-per-source --header-timeout --min-rate --outbox --pending --max-pending --fetch --name
              --proxy-from --deliver --stream --drain --follow --ack-wait --durable
              -h --help -V --version"
        case $prev in
        -k | --key) _seal_files '*.key' id_rsa; return ;;
        -s | --sender) _seal_files '*.pub'; return ;;
        --passphrase-file | -o | --output) _seal_any_file; return ;;
        -d | --inbox | --outbox | --pending) _seal_dirs; return ;;
        --listen | --from | --max-size | --max-connections | --idle-timeout | --max-time | \
            --min-free | --max-age | --max-per-source | --header-timeout | --min-rate | \
            --max-pending | --name | --proxy-from | --deliver | \
            --stream | --drain | --ack-wait | --durable) return ;;
        esac
        ;;
    seal-keygen)
        opts="-o --output -b --bits --passphrase-file --no-passphrase -l --fingerprint
              -y --public --ssh --register -s --key --name --pending --approve --trust-dir
              -h --help -V --version"
        case $prev in
        -b | --bits) COMPREPLY=($(compgen -W "2048 3072 4096" -- "$cur")); return ;;
        -l | --fingerprint) _seal_files '*.pub' '*.key' '*.pem' '*.der' id_rsa; return ;;
        -y | --public | -s | --key) _seal_files '*.key' id_rsa; return ;;
        --passphrase-file | -o | --output) _seal_any_file; return ;;
        --pending | --trust-dir) _seal_dirs; return ;;
        --register | --name | --approve) return ;;
        esac
        ;;
    *) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [[ ${COMP_WORDS[0]##*/} == unseal ]]; then
        _seal_files '*.seal'
    elif [[ ${COMP_WORDS[0]##*/} == seal ]]; then
        _seal_any_file
    fi
}
complete -F _seal_complete seal unseal seal-keygen
