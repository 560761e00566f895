module example.com/socket-leak-fixed

go 1.21

require google.golang.org/grpc v1.62.0
