package main

// Examples of the commands of scale-out, proofs and the chain browser
// (see commandExamples).
func init() {
	for path, ex := range map[string]string{
		"serve builder": "bhctl serve builder --broker amqp://guest:guest@127.0.0.1:5672/ --all",
		"serve ui":      "bhctl serve ui --addr 127.0.0.1:8484",
		"status":        "bhctl status --broker amqp://guest:guest@127.0.0.1:5672/ -o json",
		"dlq":           "bhctl dlq list --broker amqp://guest:guest@127.0.0.1:5672/",
		"dlq list":      "bhctl dlq list --broker amqp://guest:guest@127.0.0.1:5672/ -o json",
		"dlq show":      "bhctl dlq show 3f1c09a2b7e4d5c6-12 --broker amqp://guest:guest@127.0.0.1:5672/",
		"dlq replay":    "bhctl dlq replay --all --broker amqp://guest:guest@127.0.0.1:5672/",
		"dlq drop":      "bhctl dlq drop 3f1c09a2b7e4d5c6-12 --broker amqp://guest:guest@127.0.0.1:5672/",
		"checkpoint":    "bhctl checkpoint --key alice.key > checkpoint.note",
		"key":           "bhctl key generate alice",
		"key generate":  "bhctl key generate alice",
		"prove":         "bhctl prove 5891b5b5 -o json > proof.json",
		"prove row":     "bhctl prove row --target mysql://root@127.0.0.1:3306/crm --table orders --key id=42",
		"query":         "bhctl query 'amount > 100' --limit 10 -o json",
		"search":        "bhctl search 'ERROR|panic' --type text/plain",
		"assets":        "bhctl assets --count | head",
	} {
		commandExamples[path] = ex
	}
}
