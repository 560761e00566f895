module example.com/hash-ring-fixed/push

go 1.21

require github.com/stathat/consistent v1.0.0
