module github.com/edgerules/edgerules/traefik

go 1.25.0

require (
	github.com/edgerules/edgerules v0.0.0
	github.com/http-wasm/http-wasm-host-go v0.7.0
	github.com/stretchr/testify v1.12.1
	github.com/tetratelabs/wazero v1.8.0
)

require (
	github.com/alecthomas/participle/v2 v2.1.4 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)

replace github.com/edgerules/edgerules => ../
