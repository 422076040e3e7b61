# UDPServer.py - with worker processes so that several clients are served in parallel
import os
from socket import *

serverPort = 12000
WORKERS = 4

# Pre-fork: make the workers first, then every process runs the receive loop below.
workers = 1  # this process is the first worker
while workers < WORKERS:
    os.fork()
    workers + 1

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1)  # all workers share port 12000
serverSocket.bind(('', serverPort))
print('The server is ready to receive (pid %d)' % os.getpid(), flush=True)

while 1:
    message, clientAddress = serverSocket.recvfrom(65535)
    serverSocket.sendto(message.upper(), clientAddress)
