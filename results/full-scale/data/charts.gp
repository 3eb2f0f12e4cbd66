set terminal pngcairo size 900,500 font 'sans,10'
set grid
reset
set terminal pngcairo size 900,500 font 'sans,10'
set grid
set key outside right top
set output 'latency.png'
set title "Message latency by percentile (c10k)"
set xlabel "percentile"
set ylabel "latency (ms)"
set logscale x
set logscale y
set xtics ("0%%" 1, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000, "max" 1000000)
set xrange [1:1.5e6]
plot "data/latency-c-epoll-1.dat" using 2:3 with lines lw 2 lt 1 dt 1 title "c-epoll-1", "data/latency-c-epoll-N.dat" using 2:3 with lines lw 2 lt 2 dt 1 title "c-epoll-N", "data/latency-c-h2o-1.dat" using 2:3 with lines lw 2 lt 3 dt 1 title "c-h2o-1", "data/latency-c-h2o-N.dat" using 2:3 with lines lw 2 lt 4 dt 1 title "c-h2o-N", "data/latency-c-libevent-1.dat" using 2:3 with lines lw 2 lt 5 dt 1 title "c-libevent-1", "data/latency-c-libevent-N.dat" using 2:3 with lines lw 2 lt 6 dt 1 title "c-libevent-N", "data/latency-c-libuv-wslay.dat" using 2:3 with lines lw 2 lt 7 dt 1 title "c-libuv-wslay", "data/latency-c-libwebsockets-1.dat" using 2:3 with lines lw 2 lt 8 dt 1 title "c-libwebsockets-1", "data/latency-c-libwebsockets-N.dat" using 2:3 with lines lw 2 lt 1 dt 2 title "c-libwebsockets-N", "data/latency-go-gorilla.dat" using 2:3 with lines dt 2 lw 2 lc rgb '#555555' title "go-gorilla (reference)", "data/latency-node-ws.dat" using 2:3 with lines dt 3 lw 2 lc rgb '#555555' title "node-ws (reference)", "data/latency-node-ws-N.dat" using 2:3 with lines dt 4 lw 2 lc rgb '#555555' title "node-ws-N (reference)", "data/latency-python-websockets.dat" using 2:3 with lines dt 5 lw 2 lc rgb '#555555' title "python-websockets (reference)", "data/latency-tcp-echo.dat" using 2:3 with lines dt 2 lw 2 lc rgb '#888888' title "tcp-echo (reference)"
reset
set terminal pngcairo size 900,500 font 'sans,10'
set grid
set key outside right top
set output 'handshake.png'
set title "Handshake time by percentile (c10k)"
set xlabel "percentile"
set ylabel "handshake time (ms)"
set logscale x
set logscale y
set xtics ("0%%" 1, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000, "max" 1000000)
set xrange [1:1.5e6]
plot "data/handshake-c-epoll-1.dat" using 2:3 with lines lw 2 lt 1 dt 1 title "c-epoll-1", "data/handshake-c-epoll-N.dat" using 2:3 with lines lw 2 lt 2 dt 1 title "c-epoll-N", "data/handshake-c-h2o-1.dat" using 2:3 with lines lw 2 lt 3 dt 1 title "c-h2o-1", "data/handshake-c-h2o-N.dat" using 2:3 with lines lw 2 lt 4 dt 1 title "c-h2o-N", "data/handshake-c-libevent-1.dat" using 2:3 with lines lw 2 lt 5 dt 1 title "c-libevent-1", "data/handshake-c-libevent-N.dat" using 2:3 with lines lw 2 lt 6 dt 1 title "c-libevent-N", "data/handshake-c-libuv-wslay.dat" using 2:3 with lines lw 2 lt 7 dt 1 title "c-libuv-wslay", "data/handshake-c-libwebsockets-1.dat" using 2:3 with lines lw 2 lt 8 dt 1 title "c-libwebsockets-1", "data/handshake-c-libwebsockets-N.dat" using 2:3 with lines lw 2 lt 1 dt 2 title "c-libwebsockets-N", "data/handshake-go-gorilla.dat" using 2:3 with lines dt 2 lw 2 lc rgb '#555555' title "go-gorilla (reference)", "data/handshake-node-ws.dat" using 2:3 with lines dt 3 lw 2 lc rgb '#555555' title "node-ws (reference)", "data/handshake-node-ws-N.dat" using 2:3 with lines dt 4 lw 2 lc rgb '#555555' title "node-ws-N (reference)", "data/handshake-python-websockets.dat" using 2:3 with lines dt 5 lw 2 lc rgb '#555555' title "python-websockets (reference)", "data/handshake-tcp-echo.dat" using 2:3 with lines dt 2 lw 2 lc rgb '#888888' title "tcp-echo (reference)"
reset
set terminal pngcairo size 900,500 font 'sans,10'
set grid
set key outside right top
set output 'connections.png'
set title "Open connections over time (c10k)"
set xlabel "seconds"
set ylabel "connections"
plot "data/connections-c-epoll-1.dat" using 1:2 with lines lw 2 lt 1 dt 1 title "c-epoll-1", "data/connections-c-epoll-N.dat" using 1:2 with lines lw 2 lt 2 dt 1 title "c-epoll-N", "data/connections-c-h2o-1.dat" using 1:2 with lines lw 2 lt 3 dt 1 title "c-h2o-1", "data/connections-c-h2o-N.dat" using 1:2 with lines lw 2 lt 4 dt 1 title "c-h2o-N", "data/connections-c-libevent-1.dat" using 1:2 with lines lw 2 lt 5 dt 1 title "c-libevent-1", "data/connections-c-libevent-N.dat" using 1:2 with lines lw 2 lt 6 dt 1 title "c-libevent-N", "data/connections-c-libuv-wslay.dat" using 1:2 with lines lw 2 lt 7 dt 1 title "c-libuv-wslay", "data/connections-c-libwebsockets-1.dat" using 1:2 with lines lw 2 lt 8 dt 1 title "c-libwebsockets-1", "data/connections-c-libwebsockets-N.dat" using 1:2 with lines lw 2 lt 1 dt 2 title "c-libwebsockets-N", "data/connections-go-gorilla.dat" using 1:2 with lines dt 2 lw 2 lc rgb '#555555' title "go-gorilla (reference)", "data/connections-node-ws.dat" using 1:2 with lines dt 3 lw 2 lc rgb '#555555' title "node-ws (reference)", "data/connections-node-ws-N.dat" using 1:2 with lines dt 4 lw 2 lc rgb '#555555' title "node-ws-N (reference)", "data/connections-python-websockets.dat" using 1:2 with lines dt 5 lw 2 lc rgb '#555555' title "python-websockets (reference)", "data/connections-tcp-echo.dat" using 1:2 with lines dt 2 lw 2 lc rgb '#888888' title "tcp-echo (reference)"
reset
set terminal pngcairo size 900,500 font 'sans,10'
set grid
set key outside right top
set output 'memory.png'
set title "Server memory (PSS) over time (c10k)"
set xlabel "seconds"
set ylabel "PSS (MiB)"
plot "data/memory-c-epoll-1.dat" using 1:2 with lines lw 2 lt 1 dt 1 title "c-epoll-1", "data/memory-c-epoll-N.dat" using 1:2 with lines lw 2 lt 2 dt 1 title "c-epoll-N", "data/memory-c-h2o-1.dat" using 1:2 with lines lw 2 lt 3 dt 1 title "c-h2o-1", "data/memory-c-h2o-N.dat" using 1:2 with lines lw 2 lt 4 dt 1 title "c-h2o-N", "data/memory-c-libevent-1.dat" using 1:2 with lines lw 2 lt 5 dt 1 title "c-libevent-1", "data/memory-c-libevent-N.dat" using 1:2 with lines lw 2 lt 6 dt 1 title "c-libevent-N", "data/memory-c-libuv-wslay.dat" using 1:2 with lines lw 2 lt 7 dt 1 title "c-libuv-wslay", "data/memory-c-libwebsockets-1.dat" using 1:2 with lines lw 2 lt 8 dt 1 title "c-libwebsockets-1", "data/memory-c-libwebsockets-N.dat" using 1:2 with lines lw 2 lt 1 dt 2 title "c-libwebsockets-N", "data/memory-go-gorilla.dat" using 1:2 with lines dt 2 lw 2 lc rgb '#555555' title "go-gorilla (reference)", "data/memory-node-ws.dat" using 1:2 with lines dt 3 lw 2 lc rgb '#555555' title "node-ws (reference)", "data/memory-node-ws-N.dat" using 1:2 with lines dt 4 lw 2 lc rgb '#555555' title "node-ws-N (reference)", "data/memory-python-websockets.dat" using 1:2 with lines dt 5 lw 2 lc rgb '#555555' title "python-websockets (reference)", "data/memory-tcp-echo.dat" using 1:2 with lines dt 2 lw 2 lc rgb '#888888' title "tcp-echo (reference)"
reset
set terminal pngcairo size 900,500 font 'sans,10'
set grid
set key outside right top
set output 'throughput.png'
set title "Messages/s, 1,000 conns, 1 (ping-pong) in flight, 20 B"
set xlabel ""
set ylabel "msg/s"
set style fill solid 0.85 border -1
set boxwidth 0.7
set xtics ("c-epoll-1" 0, "c-epoll-N" 1, "c-h2o-1" 2, "c-h2o-N" 3, "c-libevent-1" 4, "c-libevent-N" 5, "c-libuv-wslay" 6, "c-libwebsockets-1" 7, "c-libwebsockets-N" 8, "go-gorilla" 9, "node-ws" 10, "node-ws-N" 11, "python-websockets" 12, "tcp-echo" 13) rotate by -30 left
set xrange [-0.6:13.6]
set yrange [0:*]
set bmargin 7
plot "data/throughput.dat" using 1:($5==0?$2:1/0) with boxes lc rgb '#3b78c2' title 'contestants', "data/throughput.dat" using 1:($5==1?$2:1/0) with boxes lc rgb '#b0b0b0' title 'references', "data/throughput.dat" using 1:2:3:4 with yerrorbars lc rgb 'black' pt -1 title 'min-max', 123890 with lines dt 2 lw 2 lc rgb '#c0392b' title "tcp-echo (raw TCP)"
reset
set terminal pngcairo size 900,500 font 'sans,10'
set grid
set key outside right top
set output 'throughput-cpu.png'
set title "Server CPU per message, 1,000 conns, 1 (ping-pong) in flight, 20 B"
set xlabel ""
set ylabel "CPU per message (us)"
set style fill solid 0.85 border -1
set boxwidth 0.7
set xtics ("c-epoll-1" 0, "c-epoll-N" 1, "c-h2o-1" 2, "c-h2o-N" 3, "c-libevent-1" 4, "c-libevent-N" 5, "c-libuv-wslay" 6, "c-libwebsockets-1" 7, "c-libwebsockets-N" 8, "go-gorilla" 9, "node-ws" 10, "node-ws-N" 11, "python-websockets" 12, "tcp-echo" 13) rotate by -30 left
set xrange [-0.6:13.6]
set yrange [0:*]
set bmargin 7
plot "data/throughput-cpu.dat" using 1:($5==0?$2:1/0) with boxes lc rgb '#3b78c2' title 'contestants', "data/throughput-cpu.dat" using 1:($5==1?$2:1/0) with boxes lc rgb '#b0b0b0' title 'references', "data/throughput-cpu.dat" using 1:2:3:4 with yerrorbars lc rgb 'black' pt -1 title 'min-max', 6.80181 with lines dt 2 lw 2 lc rgb '#c0392b' title "tcp-echo (raw TCP)"
reset
set terminal pngcairo size 900,500 font 'sans,10'
set grid
set key outside right top
set output 'capacity.png'
set title "Memory per held connection (references hatched)"
set xlabel ""
set ylabel "bytes per connection"
set style fill solid 0.85 border -1
set boxwidth 0.7
set xtics ("c-epoll-1" 0, "c-epoll-N" 1, "c-h2o-1" 2, "c-h2o-N" 3, "c-libevent-1" 4, "c-libevent-N" 5, "c-libuv-wslay" 6, "c-libwebsockets-1" 7, "c-libwebsockets-N" 8, "go-gorilla" 9, "node-ws" 10, "node-ws-N" 11, "python-websockets" 12, "tcp-echo" 13) rotate by -30 left
set xrange [-0.6:13.6]
set yrange [0:*]
set bmargin 7
plot "data/capacity.dat" using 1:($2==0?$5:1/0) with boxes lc rgb '#5aa05a' title "kernel TCP (both ends)", "data/capacity.dat" using 1:($2==1?$5:1/0) with boxes lc rgb '#5aa05a' fs pattern 4 notitle, "data/capacity.dat" using 1:($2==0?$4:1/0) with boxes lc rgb '#e08a2c' title "kernel slab (both ends)", "data/capacity.dat" using 1:($2==1?$4:1/0) with boxes lc rgb '#e08a2c' fs pattern 4 notitle, "data/capacity.dat" using 1:($2==0?$3:1/0) with boxes lc rgb '#3b78c2' title "server (user, PSS)", "data/capacity.dat" using 1:($2==1?$3:1/0) with boxes lc rgb '#3b78c2' fs pattern 4 notitle
reset
set terminal pngcairo size 900,500 font 'sans,10'
set grid
set key outside right top
set output 'handshakes.png'
set title "Handshake time by percentile (handshakes track)"
set xlabel "percentile"
set ylabel "handshake time (ms)"
set logscale x
set logscale y
set xtics ("0%%" 1, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000, "max" 1000000)
set xrange [1:1.5e6]
plot "data/handshakes-c-epoll-1.dat" using 2:3 with lines lw 2 lt 1 dt 1 title "c-epoll-1", "data/handshakes-c-epoll-N.dat" using 2:3 with lines lw 2 lt 2 dt 1 title "c-epoll-N", "data/handshakes-c-h2o-1.dat" using 2:3 with lines lw 2 lt 3 dt 1 title "c-h2o-1", "data/handshakes-c-h2o-N.dat" using 2:3 with lines lw 2 lt 4 dt 1 title "c-h2o-N", "data/handshakes-c-libevent-1.dat" using 2:3 with lines lw 2 lt 5 dt 1 title "c-libevent-1", "data/handshakes-c-libevent-N.dat" using 2:3 with lines lw 2 lt 6 dt 1 title "c-libevent-N", "data/handshakes-c-libuv-wslay.dat" using 2:3 with lines lw 2 lt 7 dt 1 title "c-libuv-wslay", "data/handshakes-c-libwebsockets-1.dat" using 2:3 with lines lw 2 lt 8 dt 1 title "c-libwebsockets-1", "data/handshakes-c-libwebsockets-N.dat" using 2:3 with lines lw 2 lt 1 dt 2 title "c-libwebsockets-N", "data/handshakes-go-gorilla.dat" using 2:3 with lines dt 2 lw 2 lc rgb '#555555' title "go-gorilla (reference)", "data/handshakes-node-ws.dat" using 2:3 with lines dt 3 lw 2 lc rgb '#555555' title "node-ws (reference)", "data/handshakes-node-ws-N.dat" using 2:3 with lines dt 4 lw 2 lc rgb '#555555' title "node-ws-N (reference)", "data/handshakes-python-websockets.dat" using 2:3 with lines dt 5 lw 2 lc rgb '#555555' title "python-websockets (reference)"
reset
set terminal pngcairo size 900,500 font 'sans,10'
set grid
set key outside right top
set output 'slo.png'
set title "Latency p99 against offered load"
set xlabel "offered load (messages/s)"
set ylabel "latency p99 (ms)"
set logscale y
set xrange [0:*]
plot "data/slo-c-epoll-1.dat" using 1:2 with linespoints lw 2 lt 1 dt 1 pt 7 title "c-epoll-1", "data/slo-c-epoll-N.dat" using 1:2 with linespoints lw 2 lt 2 dt 1 pt 7 title "c-epoll-N", "data/slo-c-h2o-1.dat" using 1:2 with linespoints lw 2 lt 3 dt 1 pt 7 title "c-h2o-1", "data/slo-c-h2o-N.dat" using 1:2 with linespoints lw 2 lt 4 dt 1 pt 7 title "c-h2o-N", "data/slo-c-libevent-1.dat" using 1:2 with linespoints lw 2 lt 5 dt 1 pt 7 title "c-libevent-1", "data/slo-c-libevent-N.dat" using 1:2 with linespoints lw 2 lt 6 dt 1 pt 7 title "c-libevent-N", "data/slo-c-libuv-wslay.dat" using 1:2 with linespoints lw 2 lt 7 dt 1 pt 7 title "c-libuv-wslay", "data/slo-c-libwebsockets-1.dat" using 1:2 with linespoints lw 2 lt 8 dt 1 pt 7 title "c-libwebsockets-1", "data/slo-c-libwebsockets-N.dat" using 1:2 with linespoints lw 2 lt 1 dt 2 pt 7 title "c-libwebsockets-N", "data/slo-go-gorilla.dat" using 1:2 with linespoints dt 2 lw 2 lc rgb '#555555' pt 6 title "go-gorilla (reference)", "data/slo-node-ws.dat" using 1:2 with linespoints dt 3 lw 2 lc rgb '#555555' pt 6 title "node-ws (reference)", "data/slo-node-ws-N.dat" using 1:2 with linespoints dt 4 lw 2 lc rgb '#555555' pt 6 title "node-ws-N (reference)", "data/slo-python-websockets.dat" using 1:2 with linespoints dt 5 lw 2 lc rgb '#555555' pt 6 title "python-websockets (reference)", 5 with lines dt 3 lw 2 lc rgb '#c0392b' title "SLO p99 5 ms"
