module example.com/hash-ring/proxy

go 1.21

require github.com/stathat/consistent v1.0.0
