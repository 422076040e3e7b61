"""Lab 3 task 1 - UDP client with RTT."""
import os
import sys
import time
from datetime import datetime
from socket import *

serverName = os.environ.get("SERVER_HOST", "server")
serverPort = int(os.environ.get("SERVER_PORT", "12000"))

message = input("Input lowercase sentence: ")
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(2)

sentAt = datetime.now()
start = time.perf_counter()
try:
    clientSocket.sendto(message.encode(), (serverName, serverPort))
    modifiedMessage, _ = clientSocket.recvfrom(65535)
except timeout:
    sys.exit("Error: the server did not reply within 2 s")
except OSError as e:
    sys.exit(f"Error: {e}")
rtt = time.perf_counter() - start
receivedAt = datetime.now()
clientSocket.close()

print()
print(f"From Server: {modifiedMessage.decode()}")
print(f"Request sent at {sentAt:%H:%M:%S.%f} on {sentAt:%Y-%m-%d}")
print(f"Reply received at {receivedAt:%H:%M:%S.%f} on {receivedAt:%Y-%m-%d}")
print(f"RTT: {rtt * 1e3:.3f} ms")
