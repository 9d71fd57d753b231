#!/bin/sh
# 07-netcat-transport.sh: the listener and seal --to speak plain TCP, so nc
# (netcat-openbsd) works on either side.
#
#   seal ... | nc -N HOST PORT      delivers into a listener; nc prints the
#                                   acknowledgment line (OK or ERR)
#   nc -l PORT > x.seal             receives what seal --to sends; seal then
#                                   exits 8 (nc does not acknowledge)
#
# nc -N shuts down the sending side at the end of input, which marks the end
# of the envelope: one envelope per connection.
set -eu
here=$(dirname "$0")
command -v nc >/dev/null 2>&1 || { echo "nc not found (apt-get install netcat-openbsd)"; exit 77; }
[ -e server.key ] || sh "$here/01-keys.sh"
mkdir -p clients
cp client.pub clients/client.pub

rm -rf Maildir server.log
: >server.log # exists before the first look at it
unseal -k server.key -s clients --listen 127.0.0.1:0 -d Maildir 2>server.log &
server=$!
trap 'kill $server 2>/dev/null' EXIT
tries=0
until grep -q "listening on" server.log; do
    tries=$((tries + 1))
    [ "$tries" -lt 100 ] || { cat server.log; exit 1; }
    sleep 0.1
done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\),.*/\1/p' server.log)

# 1. nc as the client. Sending the same envelope twice stores it once: the
#    second answer is the same OK line.
echo "sent with nc" >a.txt
seal -r server.pub -s client.key -o a.txt.seal -f a.txt
nc -N 127.0.0.1 "$port" <a.txt.seal
nc -N 127.0.0.1 "$port" <a.txt.seal
ls Maildir/new | wc -l

# 2. Garbage gets an ERR line and changes nothing.
echo "not an envelope" | nc -N 127.0.0.1 "$port"

# 3. nc as the server: it stores the envelope seal --to sends, and seal says
#    that no acknowledgment came (exit status 8; --wait bounds the wait).
#    Port 0: the kernel picks a free port and nc -v says which.
rm -f nc.err
nc -lv 127.0.0.1 0 >received.seal </dev/null 2>nc.err &
ncpid=$!
tries=0
nport=""
while [ -z "$nport" ]; do
    tries=$((tries + 1))
    [ "$tries" -le 100 ] || { echo "nc did not start listening: $(cat nc.err)"; exit 1; }
    sleep 0.1
    nport=$(sed -n 's/^Listening on [^ ]* \([0-9][0-9]*\)$/\1/p' nc.err)
done
st=0
seal -r server.pub -s client.key --to "127.0.0.1:$nport" --retry-for 0 --wait 2 a.txt || st=$?
wait "$ncpid" || true
echo "seal --to into nc -l: exit status $st"
[ "$st" -eq 8 ]
unseal -k server.key -s client.pub -o - received.seal

kill -TERM "$server"
wait "$server"
trap - EXIT
