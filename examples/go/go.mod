module dagger/examples

go 1.24.0
