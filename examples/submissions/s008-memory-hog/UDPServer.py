"""Lab 3 task 1 - UDP capitalization server."""
import os
from socket import *

serverPort = int(os.environ.get("SERVER_PORT", "12000"))
serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(("", serverPort))
print("The server is ready to receive", flush=True)

while True:
    message, clientAddress = serverSocket.recvfrom(65535)
    serverSocket.sendto(message.upper(), clientAddress)
