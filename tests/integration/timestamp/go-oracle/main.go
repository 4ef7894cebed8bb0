// The reference for Signet's timestamp verification: the exact code path notation v1.3.2 runs in
// its authentic-timestamp step (notation-go verifier.verifyTimestamp, minus revocation), built
// against the tspclient-go and notation-core-go versions notation v1.3.2 pins.
//
// stdin, one case per line: <token hex> <signature hex> <root DER hex>[,<root DER hex>...]
// stdout, one line per case:  <stage>\t<message>   (stage: parse|tstinfo|validate|verify|chain|ok)
package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"

	nx509 "github.com/notaryproject/notation-core-go/x509"
	"github.com/notaryproject/tspclient-go"
)

func check(token, signature []byte, roots *x509.CertPool) (string, string) {
	signedToken, err := tspclient.ParseSignedToken(token)
	if err != nil {
		return "parse", err.Error()
	}
	info, err := signedToken.Info()
	if err != nil {
		return "tstinfo", err.Error()
	}
	timestamp, err := info.Validate(signature)
	if err != nil {
		return "validate", err.Error()
	}
	chain, err := signedToken.Verify(context.Background(), x509.VerifyOptions{CurrentTime: timestamp.Value, Roots: roots})
	if err != nil {
		return "verify", err.Error()
	}
	if err := nx509.ValidateTimestampingCertChain(chain); err != nil {
		return "chain", err.Error()
	}
	return "ok", timestamp.Format(time.RFC3339Nano)
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<24), 1<<24)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		fields := strings.Fields(in.Text())
		if len(fields) != 3 {
			fmt.Fprintf(out, "bad-input\t%d fields\n", len(fields))
			continue
		}
		token, _ := hex.DecodeString(fields[0])
		signature, _ := hex.DecodeString(fields[1])
		roots := x509.NewCertPool()
		var rootErr error
		for _, r := range strings.Split(fields[2], ",") {
			der, _ := hex.DecodeString(r)
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				rootErr = err
				break
			}
			roots.AddCert(cert)
		}
		if rootErr != nil {
			fmt.Fprintf(out, "bad-root\t%v\n", rootErr)
			continue
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					fmt.Fprintf(out, "panic\t%v\n", r)
				}
			}()
			stage, message := check(token, signature, roots)
			fmt.Fprintf(out, "%s\t%s\n", stage, strings.ReplaceAll(message, "\n", "\\n"))
		}()
	}
}
