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
plot "data/latency-c-epoll-1.dat" using 2:3 with lines lw 2 lt 1 dt 1 title "c-epoll-1", "data/latency-c-epoll-N.dat" using 2:3 with lines lw 2 lt 2 dt 1 title "c-epoll-N", "data/latency-c-h2o-1.dat" using 2:3 with lines lw 2 lt 3 dt 1 title "c-h2o-1", "data/latency-c-h2o-N.dat" using 2:3 with lines lw 2 lt 4 dt 1 title "c-h2o-N", "data/latency-c-libevent-1.dat" using 2:3 with lines lw 2 lt 5 dt 1 title "c-libevent-1", "data/latency-c-libevent-N.dat" using 2:3 with lines lw 2 lt 6 dt 1 title "c-libevent-N", "data/latency-c-libuv-wslay.dat" using 2:3 with lines lw 2 lt 7 dt 1 title "c-libuv-wslay", "data/latency-c-libwebsockets-1.dat" using 2:3 with lines lw 2 lt 8 dt 1 title "c-libwebsockets-1", "data/latency-c-libwebsockets-N.dat" using 2:3 with lines lw 2 lt 1 dt 2 title "c-libwebsockets-N"
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
plot "data/handshake-c-epoll-1.dat" using 2:3 with lines lw 2 lt 1 dt 1 title "c-epoll-1", "data/handshake-c-epoll-N.dat" using 2:3 with lines lw 2 lt 2 dt 1 title "c-epoll-N", "data/handshake-c-h2o-1.dat" using 2:3 with lines lw 2 lt 3 dt 1 title "c-h2o-1", "data/handshake-c-h2o-N.dat" using 2:3 with lines lw 2 lt 4 dt 1 title "c-h2o-N", "data/handshake-c-libevent-1.dat" using 2:3 with lines lw 2 lt 5 dt 1 title "c-libevent-1", "data/handshake-c-libevent-N.dat" using 2:3 with lines lw 2 lt 6 dt 1 title "c-libevent-N", "data/handshake-c-libuv-wslay.dat" using 2:3 with lines lw 2 lt 7 dt 1 title "c-libuv-wslay", "data/handshake-c-libwebsockets-1.dat" using 2:3 with lines lw 2 lt 8 dt 1 title "c-libwebsockets-1", "data/handshake-c-libwebsockets-N.dat" using 2:3 with lines lw 2 lt 1 dt 2 title "c-libwebsockets-N"
