// Command floor is the binary-size floor: a stdlib-only program that makes one HTTPS POST of
// HMAC-signed JSON, the least any CloudWatch Logs client must link.
package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	body, _ := json.Marshal(map[string]any{"logGroupName": "g", "logStreamName": "s",
		"logEvents": []map[string]any{{"timestamp": time.Now().UnixMilli(), "message": "hello"}}})
	mac := hmac.New(sha256.New, []byte(os.Getenv("AWS_SECRET_ACCESS_KEY")))
	mac.Write(body)
	req, err := http.NewRequest("POST", "https://logs.us-east-1.amazonaws.com/", bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
}
