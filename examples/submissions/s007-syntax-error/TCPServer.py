# TCPServer.py
import os
from socket import *

serverPort = int(os.environ.get('SERVER_PORT', '12000'))
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', serverPort))
serverSocket.listen(5)
print('The server is ready to receive', flush=True)

while 1:
    connectionSocket, addr = serverSocket.accept()
    connectionSocket.settimeout(10)
    try:
        while 1:
            sentence = connectionSocket.recv(1024)
            if not sentence:
                break
            connectionSocket.sendall(sentence.upper())
    except OSError:
        pass
    connectionSocket.close()
