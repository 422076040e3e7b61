"""Lab 3 task 2 - TCP client with RTT (timed from the connection request)."""
import os
import sys
import time
from datetime import datetime
from socket import *

serverName = os.environ.get("SERVER_HOST", "server")
serverPort = int(os.environ.get("SERVER_PORT", "12000"))

sentence = input("Input lowercase sentence: ").encode()
clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.settimeout(2)

sentAt = datetime.now()
start = time.perf_counter()
try:
    clientSocket.connect((serverName, serverPort))
    clientSocket.sendall(sentence)
    clientSocket.shutdown(SHUT_WR)
    reply = b""
    while len(reply) < len(sentence):
        chunk = clientSocket.recv(2048)
        if not chunk:
            break
        reply += chunk
except timeout:
    sys.exit("Error: the server did not reply within 2 s")
except OSError as e:
    sys.exit(f"Error: {e}")
rtt = time.perf_counter() - start
receivedAt = datetime.now()
clientSocket.close()

print()
print(f"From Server: {reply.decode()}")
print(f"Connection request sent at {sentAt:%H:%M:%S.%f} on {sentAt:%Y-%m-%d}")
print(f"Reply received at {receivedAt:%H:%M:%S.%f} on {receivedAt:%Y-%m-%d}")
print(f"RTT: {rtt * 1e3:.3f} ms")
