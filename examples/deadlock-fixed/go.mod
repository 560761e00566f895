module example.com/deadlock-fixed

go 1.21
