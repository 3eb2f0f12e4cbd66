set terminal pngcairo size 900,540 font 'sans,10'
set grid
set key outside right top
set output 'latency.png'
set title "Message latency by percentile"
set xlabel "percentile"
set ylabel "latency (ms)"
set logscale x
set logscale y
set xtics ("0%%" 1, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000, "max" 1000000)
set xrange [1:1.5e6]
plot "data/latency-c-epoll-N.dat" using 2:3 with lines lw 2 lt 1 dt 1 title "c-epoll-N", "data/latency-c-libuv-wslay.dat" using 2:3 with lines lw 2 lt 2 dt 1 title "c-libuv-wslay"
unset logscale
set xtics autofreq
set autoscale x
set output 'handshake.png'
set title "Handshake time by percentile"
set xlabel "percentile"
set ylabel "handshake time (ms)"
set logscale x
set logscale y
set xtics ("0%%" 1, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000, "max" 1000000)
set xrange [1:1.5e6]
plot "data/handshake-c-epoll-N.dat" using 2:3 with lines lw 2 lt 1 dt 1 title "c-epoll-N", "data/handshake-c-libuv-wslay.dat" using 2:3 with lines lw 2 lt 2 dt 1 title "c-libuv-wslay"
unset logscale
set xtics autofreq
set autoscale x
set output 'connections.png'
set title "Open connections over time"
set xlabel "seconds"
set ylabel "connections"
plot "data/connections-c-epoll-N.dat" using 1:2 with lines lw 2 lt 1 dt 1 title "c-epoll-N", "data/connections-c-libuv-wslay.dat" using 1:2 with lines lw 2 lt 2 dt 1 title "c-libuv-wslay"
unset logscale
set xtics autofreq
set autoscale x
set output 'memory.png'
set title "Server memory (PSS) over time"
set xlabel "seconds"
set ylabel "PSS (MiB)"
plot "data/memory-c-epoll-N.dat" using 1:2 with lines lw 2 lt 1 dt 1 title "c-epoll-N", "data/memory-c-libuv-wslay.dat" using 1:2 with lines lw 2 lt 2 dt 1 title "c-libuv-wslay"
unset logscale
set xtics autofreq
set autoscale x
