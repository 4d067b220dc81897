// A Lambda function for provided.al2023 using only the standard library:
// it speaks the Lambda Runtime API itself (next invocation, then response or error).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
)

type request struct {
	Name string `json:"name"`
}

type response struct {
	Message string `json:"message"`
}

func handle(payload []byte) (any, error) {
	var req request
	if len(payload) > 0 {
		if err := json.Unmarshal(payload, &req); err != nil {
			return nil, fmt.Errorf("bad event: %w", err)
		}
	}
	if req.Name == "" {
		req.Name = "world"
	}
	return response{Message: "hello " + req.Name}, nil
}

func main() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		next, err := http.Get(api + "next")
		if err != nil {
			fmt.Fprintln(os.Stderr, "runtime API unreachable:", err)
			os.Exit(1)
		}
		id := next.Header.Get("Lambda-Runtime-Aws-Request-Id")
		payload, _ := io.ReadAll(next.Body)
		next.Body.Close()

		result, err := handle(payload)
		if err != nil {
			body, _ := json.Marshal(map[string]string{"errorMessage": err.Error(), "errorType": "HandlerError"})
			post(api+id+"/error", body)
			continue
		}
		body, _ := json.Marshal(result)
		post(api+id+"/response", body)
	}
}

func post(url string, body []byte) {
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		fmt.Fprintln(os.Stderr, "posting result failed:", err)
		return
	}
	resp.Body.Close()
}
