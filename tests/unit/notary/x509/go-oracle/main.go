// Reference oracle for go-oracle.node.test.ts: runs the Go code notation v1.3.2 uses on inputs
// the test generated, and prints what Go decides. Built offline from the Go module cache that
// scripts/install-tools fills when it builds notation.
//
// stdin: {"parses":[{"name","file"}], "chains":[{"name","purpose","files"}], "stores":[{"name","root","type","store"}]}
// stdout: {"parses":{name: "OK <subject>" | "ERR <error>"}, "chains":{name: "OK" | "<error>"}, "stores":{name: "OK <n>" | "<error>"}}
package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"os"

	nx509 "github.com/notaryproject/notation-core-go/x509"
	"github.com/notaryproject/notation-go/dir"
	"github.com/notaryproject/notation-go/verifier/truststore"
)

type input struct {
	Parses []struct{ Name, File string }
	Chains []struct {
		Name, Purpose string
		Files         []string
	}
	Stores []struct{ Name, Root, Type, Store string }
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	out := map[string]map[string]string{"parses": {}, "chains": {}, "stores": {}}
	for _, p := range in.Parses {
		der, err := os.ReadFile(p.File)
		if err != nil {
			panic(err)
		}
		if c, err := x509.ParseCertificate(der); err != nil {
			out["parses"][p.Name] = "ERR " + err.Error()
		} else {
			out["parses"][p.Name] = "OK " + c.Subject.String()
		}
	}
	for _, c := range in.Chains {
		var chain []*x509.Certificate
		result := ""
		for _, f := range c.Files {
			der, err := os.ReadFile(f)
			if err != nil {
				panic(err)
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				result = "PARSE " + err.Error()
				break
			}
			chain = append(chain, cert)
		}
		if result == "" {
			var err error
			if c.Purpose == "timestamping" {
				err = nx509.ValidateTimestampingCertChain(chain)
			} else {
				err = nx509.ValidateCodeSigningCertChain(chain, nil)
			}
			result = "OK"
			if err != nil {
				result = err.Error()
			}
		}
		out["chains"][c.Name] = result
	}
	for _, s := range in.Stores {
		store := truststore.NewX509TrustStore(dir.NewSysFS(s.Root))
		certs, err := store.GetCertificates(context.Background(), truststore.Type(s.Type), s.Store)
		if err != nil {
			out["stores"][s.Name] = err.Error()
		} else {
			out["stores"][s.Name] = "OK " + itoa(len(certs))
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
