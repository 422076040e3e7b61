# TCP server (Lab 3 task 2)
import os
from socket import *

serverPort = int(os.environ.get('SERVER_PORT', 12000))
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('', serverPort))
serverSocket.listen(1)
print('The server is ready to receive', flush=True)

connectionSocket, addr = serverSocket.accept()
print('Connection from', addr, flush=True)
while True:
    sentence = connectionSocket.recv(1024)
    if not sentence:
        break
    capitalizedSentence = sentence.upper()
    connectionSocket.sendall(capitalizedSentence)
connectionSocket.close()

serverSocket.close()
print('Done, server closed', flush=True)
