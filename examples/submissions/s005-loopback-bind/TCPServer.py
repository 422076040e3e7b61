# Lab 3 - TCPServer.py
import os
from socket import *

serverIP = '127.0.0.1'  # localhost
serverPort = int(os.getenv('SERVER_PORT', '12000'))

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind((serverIP, serverPort))
serverSocket.listen(5)
print('The server is ready to receive on', serverIP, serverPort, flush=True)

while True:
    connectionSocket, addr = serverSocket.accept()
    connectionSocket.settimeout(10)
    try:
        while True:
            sentence = connectionSocket.recv(1024)
            if not sentence:
                break
            connectionSocket.sendall(sentence.upper())
    except OSError as e:
        print(addr, e, flush=True)
    connectionSocket.close()
